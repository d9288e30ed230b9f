import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCmdShim } from '@headless/core/windows/cmd-shim';
import { FAKES_DIR, pathWithFakes } from './fakes.js';
import { waitFor } from './wait-for.js';
import { posixOnly } from './platform.js';

// These run the fakes by their extensionless path and signal their process groups, which Windows has
// neither of; there the .cmd shims below are what the worker suites use.
const fakesByPath = posixOnly(
  'runs the fakes by their extensionless #! path and signals their process groups; Windows uses the .cmd shims',
);

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dir: string;
const started: ChildProcess[] = [];
const pidsToKill: number[] = [];

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fakes-')));
});
afterEach(() => {
  // Every child has an owner: end what a test left running (as a group: fakes are group leaders here).
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  for (const pid of pidsToKill.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(
  name: string,
  args: string[],
  opts: { env?: Record<string, string>; stdin?: 'ignore' | 'pipe' } = {},
): Run {
  const child = spawn(path.join(FAKES_DIR, name), args, {
    cwd: dir,
    env: { PATH: pathWithFakes(), HOME: dir, ...opts.env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: true,
    windowsHide: true,
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('pathWithFakes', () => {
  it('puts the fakes first', () => {
    expect(pathWithFakes('/usr/bin')).toBe(`${FAKES_DIR}${path.delimiter}/usr/bin`);
    expect(pathWithFakes('')).toBe(FAKES_DIR);
    expect(fs.existsSync(path.join(FAKES_DIR, 'claude'))).toBe(true);
  });
});

fakesByPath.describe('fake CLIs as processes', () => {
  it('codex blocks on an open stdin pipe and runs once it is closed', async () => {
    const r = run('codex', ['exec', '--json', '--skip-git-repo-check', 'say hi'], { stdin: 'pipe' });
    await expect(waitFor('codex to exit', () => r.child.exitCode !== null, 700)).rejects.toThrow(/timed out/);
    r.child.stdin?.end('extra context');
    expect((await r.exited).code).toBe(0);
    expect(r.stdout()).toContain('"turn.completed"');
  });

  it('claude without a prompt argument reads stdin; with nothing there it fails like the real one', async () => {
    const empty = run('claude', ['-p', '--output-format', 'json']);
    expect((await empty.exited).code).toBe(1);
    expect(empty.stderr()).toContain('Input must be provided either through stdin or as a prompt argument');
  });

  it('records argv, cwd, stdin and the selected env in $FAKE_RECORD', async () => {
    const record = path.join(dir, 'record.jsonl');
    const r = run('gemini', ['-p', 'SCENARIO: ok', '--output-format', 'json', '--skip-trust'], {
      env: { FAKE_RECORD: record, GEMINI_CLI_TRUST_WORKSPACE: 'true', SECRET_THING: 'x' },
    });
    expect((await r.exited).code).toBe(0);
    const line = JSON.parse(fs.readFileSync(record, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      tool: 'gemini',
      argv: ['-p', 'SCENARIO: ok', '--output-format', 'json', '--skip-trust'],
      cwd: dir,
      env: { FAKE_RECORD: record, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
    });
    expect((line.env as Record<string, string>).SECRET_THING).toBeUndefined();
    expect(line.envNames).toContain('SECRET_THING');
  });

  it('gemini without trust exits 55 with a plain (coloured) message, even in JSON mode, as the real one', async () => {
    const r = run('gemini', ['-p', 'hi', '--output-format', 'json']);
    expect((await r.exited).code).toBe(55);
    expect(r.stderr().startsWith('\u001b[31mGemini CLI is not running in a trusted directory')).toBe(true);
  });

  it('hang prints a line and stays; silent-hang prints nothing', async () => {
    const hang = run('claude', ['-p', 'SCENARIO: hang']);
    await waitFor('the first line', () => hang.stdout().includes('working'), 5000);
    expect(hang.child.exitCode).toBeNull();
    const silent = run('codex', ['exec', '--skip-git-repo-check', 'x'], {
      env: { FAKE_SCENARIO: 'silent-hang' },
    });
    await expect(
      waitFor('any output', () => silent.stdout() !== '' || silent.child.exitCode !== null, 500),
    ).rejects.toThrow();
  });

  it('grandchild leaves a SIGTERM-ignoring process that only SIGKILL ends', async () => {
    const r = run('aider', ['--message-file', '/nonexistent', '--model', 'm'], {
      env: { FAKE_SCENARIO: 'grandchild' },
    });
    expect((await r.exited).code).toBe(1); // a missing message file ends aider before any scenario
    const g = run('codex', ['exec', '--skip-git-repo-check', 'SCENARIO: grandchild']);
    const pid = Number(
      await waitFor('GRANDCHILD_PID', () => /GRANDCHILD_PID=(\d+)/.exec(g.stdout())?.[1], 5000),
    );
    pidsToKill.push(pid);
    expect(alive(pid)).toBe(true);
    process.kill(pid, 'SIGTERM');
    process.kill(-g.child.pid!, 'SIGTERM');
    await g.exited;
    await expect(waitFor('the grandchild to die of SIGTERM', () => !alive(pid), 500)).rejects.toThrow();
    process.kill(pid, 'SIGKILL');
    await waitFor('the grandchild to die of SIGKILL', () => !alive(pid), 5000);
  });

  it('flood writes $FAKE_FLOOD_MB megabytes and exits 0', async () => {
    const r = run('claude', ['-p', 'SCENARIO: flood'], { env: { FAKE_FLOOD_MB: '2' } });
    expect((await r.exited).code).toBe(0);
    expect(r.stdout().length).toBe(2 * 1024 * 1024);
  });

  it('slowtool sleeps, exits with the given code, and can ignore SIGTERM', async () => {
    const quick = run('slowtool', ['10', '7']);
    expect((await quick.exited).code).toBe(7);
    expect(quick.stdout()).toMatch(/^SLOWTOOL_PID=\d+/);
    const stubborn = run('slowtool', ['60000', '--ignore-term']);
    await waitFor('the pid line', () => stubborn.stdout().includes('SLOWTOOL_PID'), 5000);
    stubborn.child.kill('SIGTERM');
    await waitFor('SIGTERM to be ignored', () => stubborn.stderr().includes('SIGTERM ignored'), 5000);
    expect(stubborn.child.exitCode).toBeNull();
    stubborn.child.kill('SIGKILL');
    expect((await stubborn.exited).signal).toBe('SIGKILL');
  });

  it('slowtool --grandchild exits and leaves its grandchild running', async () => {
    const r = run('slowtool', ['20', '0', '--grandchild']);
    expect((await r.exited).code).toBe(0);
    const pid = Number(/GRANDCHILD_PID=(\d+)/.exec(r.stdout())?.[1]);
    pidsToKill.push(pid);
    expect(alive(pid)).toBe(true);
  });
});

describe('Windows shims of the fakes', () => {
  const names = fs.readdirSync(FAKES_DIR).filter((n) => !n.includes('.') && n !== 'node_modules');
  it('gives every fake a .cmd shim in the old npm style, which the runner resolves to node + the fake', () => {
    expect(names.sort()).toEqual(['aider', 'claude', 'codex', 'gemini', 'slowtool']);
    for (const name of names) {
      const shim = path.join(FAKES_DIR, `${name}.cmd`);
      const target = parseCmdShim(fs.readFileSync(shim, 'utf8'), path.win32.join('C:\\fakes', `${name}.cmd`));
      expect(target).toEqual({ kind: 'node', script: `C:\\fakes\\${name}`, nodeArgs: [] });
    }
  });
});
