import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { applyPlan, type CommandRunner } from './apply-plan.js';
import { escapeXml, quoteWindowsArg } from './escape.js';
import { launchAgentPlist } from './launch-agent.js';
import { describePlan, planService } from './service-plan.js';
import { launchAgentLabel, serviceName } from './service-spec.js';
import { systemdUnit } from './systemd-unit.js';
import { taskSchedulerFileBytes, taskSchedulerXml } from './task-scheduler-xml.js';

/** The text of every <tag>…</tag> in an XML document, in order. */
function tags(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map(
    (m) => m[1] ?? '',
  );
}
const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

const winSpec = {
  root: 'C:\\Users\\Ann & Bob\\my root',
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  cliPath: 'C:\\Users\\Ann & Bob\\headless\\packages\\cli\\dist\\bin.js',
  stopTimeoutSec: 15,
  userId: 'DESKTOP-1\\ann',
};

describe('Task Scheduler XML', () => {
  const xml = taskSchedulerXml(winSpec);
  const one = (tag: string): string => {
    const found = tags(xml, tag);
    expect(found).toHaveLength(1);
    return unescapeXml(found[0] ?? '');
  };

  it('starts at the user’s logon as that user, without admin', () => {
    expect(tags(xml, 'LogonTrigger')).toHaveLength(1);
    expect(tags(xml, 'UserId').map(unescapeXml)).toEqual(['DESKTOP-1\\ann', 'DESKTOP-1\\ann']);
    expect(one('LogonType')).toBe('InteractiveToken');
    expect(one('RunLevel')).toBe('LeastPrivilege');
  });

  it('has the settings that keep a runner alive', () => {
    expect(one('MultipleInstancesPolicy')).toBe('IgnoreNew');
    expect(one('DisallowStartIfOnBatteries')).toBe('false');
    expect(one('StopIfGoingOnBatteries')).toBe('false');
    expect(one('ExecutionTimeLimit')).toBe('PT0S');
    expect(one('Priority')).toBe('5');
    expect(one('Interval')).toBe('PT1M');
    expect(one('Count')).toBe('999');
    expect(one('StartWhenAvailable')).toBe('true');
  });

  it('runs node under conhost --headless with every path quoted and XML-escaped', () => {
    expect(one('Command')).toBe('conhost.exe');
    expect(one('Arguments')).toBe(
      '--headless "C:\\Program Files\\nodejs\\node.exe" --max-semi-space-size=1 --lite-mode --expose-gc "C:\\Users\\Ann & Bob\\headless\\packages\\cli\\dist\\bin.js" start --root "C:\\Users\\Ann & Bob\\my root"',
    );
    expect(one('WorkingDirectory')).toBe(winSpec.root);
    expect(xml).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
    expect(one('URI')).toBe(`\\${serviceName(winSpec.root)}`);
  });

  it('is written as UTF-16LE with a BOM', () => {
    const bytes = taskSchedulerFileBytes(xml);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(bytes.toString('utf16le').slice(1)).toBe(xml);
  });

  it('quotes Windows arguments so a trailing backslash cannot eat the closing quote', () => {
    expect(quoteWindowsArg('C:\\dir\\', true)).toBe('"C:\\dir\\\\"');
    expect(quoteWindowsArg('plain')).toBe('plain');
    expect(quoteWindowsArg('a "b"')).toBe('"a \\"b\\""');
    expect(escapeXml(`<a & 'b'>`)).toBe('&lt;a &amp; &apos;b&apos;&gt;');
  });
});

const posixSpec = {
  root: '/home/ann/my root & more/100%',
  nodePath: '/usr/local/bin/node',
  cliPath: '/opt/headless/packages/cli/dist/bin.js',
  stopTimeoutSec: 15,
  pathEnv: '/usr/local/bin:/usr/bin',
};

describe('systemd user unit', () => {
  const unit = systemdUnit(posixSpec);
  const field = (key: string): string[] =>
    unit
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));

  it('runs headless start for the root, quoted and with % escaped', () => {
    expect(field('ExecStart')).toEqual([
      '"/usr/local/bin/node" "--max-semi-space-size=1" "--lite-mode" "--expose-gc" "/opt/headless/packages/cli/dist/bin.js" "start" "--root" "/home/ann/my root & more/100%%"',
    ]);
    expect(field('WorkingDirectory')).toEqual(['/home/ann/my root & more/100%%']);
    expect(field('Environment')).toEqual(['"PATH=/usr/local/bin:/usr/bin"']);
  });

  it('restarts on failure, stops the tree gracefully and starts at login', () => {
    expect(field('Restart')).toEqual(['on-failure']);
    expect(field('RestartSec')).toEqual(['5']);
    expect(field('KillMode')).toEqual(['mixed']);
    expect(field('TimeoutStopSec')).toEqual(['15']);
    expect(field('WantedBy')).toEqual(['default.target']);
    expect(unit.split('\n').filter((l) => l.startsWith('['))).toEqual(['[Unit]', '[Service]', '[Install]']);
  });
});

describe('LaunchAgent plist', () => {
  const plist = launchAgentPlist(posixSpec);
  /** The value element right after <key>name</key>. */
  const valueOf = (key: string): string => {
    const m = new RegExp(`<key>${key}</key>\\s*(<(\\w+)\\s*/>|<(\\w+)>([\\s\\S]*?)</\\3>)`).exec(plist);
    if (!m) throw new Error(`no key ${key}`);
    return m[1] ?? '';
  };

  it('has the label, the program arguments and the working directory', () => {
    expect(valueOf('Label')).toBe(`<string>${launchAgentLabel(posixSpec.root)}</string>`);
    expect(tags(valueOf('ProgramArguments'), 'string').map(unescapeXml)).toEqual([
      '/usr/local/bin/node',
      '--max-semi-space-size=1',
      '--lite-mode',
      '--expose-gc',
      '/opt/headless/packages/cli/dist/bin.js',
      'start',
      '--root',
      posixSpec.root,
    ]);
    expect(unescapeXml(valueOf('WorkingDirectory'))).toBe(`<string>${posixSpec.root}</string>`);
  });

  it('runs at load, restarts only after an unclean exit and logs into logs/', () => {
    expect(valueOf('RunAtLoad')).toBe('<true/>');
    expect(valueOf('KeepAlive')).toMatch(/<key>SuccessfulExit<\/key>\s*<false\/>/);
    expect(unescapeXml(valueOf('StandardOutPath'))).toBe(
      `<string>${posixSpec.root}/logs/launchd.out.log</string>`,
    );
    expect(unescapeXml(valueOf('StandardErrorPath'))).toBe(
      `<string>${posixSpec.root}/logs/launchd.err.log</string>`,
    );
    expect(plist).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
  });
});

describe('service plans', () => {
  const host = { home: '/home/ann', uid: 1000, userId: 'DESKTOP-1\\ann' };

  it('installs a systemd unit with daemon-reload and enable --now', () => {
    const plan = planService('install', posixSpec, { ...host, platform: 'linux' });
    expect(plan.write.map((f) => f.path)).toEqual([
      `/home/ann/.config/systemd/user/${serviceName(posixSpec.root)}.service`,
    ]);
    expect(plan.commands.map((c) => [c.file, ...c.args].join(' '))).toEqual([
      'systemctl --user daemon-reload',
      `systemctl --user enable --now ${serviceName(posixSpec.root)}.service`,
    ]);
  });

  it('registers the Windows task from the XML file with schtasks /Create /XML /F', () => {
    const plan = planService('install', winSpec, { ...host, platform: 'win32' });
    expect(plan.commands[0]?.args).toEqual([
      '/Create',
      '/TN',
      serviceName(winSpec.root),
      '/XML',
      plan.write[0]?.path,
      '/F',
    ]);
    expect(describePlan(plan)).toContain('(UTF-16LE with BOM)');
  });

  it('bootstraps the LaunchAgent in the gui domain', () => {
    const plan = planService('install', posixSpec, { ...host, platform: 'darwin' });
    expect(plan.commands.at(-1)?.args).toEqual(['bootstrap', 'gui/1000', plan.write[0]?.path]);
  });

  it('writes the unit, then says clearly what to do by hand when systemctl is missing', async () => {
    const { root, cleanup } = await makeTempRoot('hl-svc-');
    try {
      const plan = planService('install', posixSpec, { ...host, home: root, platform: 'linux' });
      const missing: CommandRunner = () =>
        Promise.resolve({ code: 127, stdout: '', stderr: '', spawnError: 'ENOENT: spawn systemctl' });
      const printed: string[] = [];
      expect(await applyPlan(plan, missing, (t) => printed.push(t))).toBe(1);
      const text = printed.join('\n');
      expect(text).toContain('could not run "systemctl --user daemon-reload" (ENOENT: spawn systemctl)');
      expect(text).toContain('Finish by hand:');
      const written = await fs.readFile(
        path.join(root, '.config', 'systemd', 'user', `${serviceName(posixSpec.root)}.service`),
        'utf8',
      );
      expect(written).toBe(systemdUnit(posixSpec));
    } finally {
      await cleanup();
    }
  });
});
