import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { NotifyConfig } from '../config/schema.js';
import { createProcessRunner } from '../process/run.js';
import { tempDir, waitFor } from '../process/test-kit.js';
import { desktopCommand, windowsToastScript } from './desktop.js';
import { summarize, type NotifyEvent } from './event.js';
import { createNotifier, type NotifyLog } from './notifier.js';
import { posixOnly } from '../platform-kit.js';

const fakeNotifySend = posixOnly('fakes notify-send as an extensionless #! script with the execute bit');

const runner = createProcessRunner();
let dir: string;
let cleanup: () => Promise<void>;
let logged: string[];
const log: NotifyLog = (level, message, meta) => logged.push(`${level} ${meta.channel} ${message}`);
const servers: http.Server[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('headless-notify-'));
  logged = [];
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await cleanup();
});

const failed: NotifyEvent = {
  v: 1,
  event: 'task.failed',
  at: '2026-12-01T08:00:00.000Z',
  root: '/r',
  task: 'a2',
  tool: 'claude',
  reason: 'exit code 3',
  next: 'headless show a2',
};
const batch: NotifyEvent = {
  v: 1,
  event: 'batch.done',
  at: '2026-12-01T08:05:00.000Z',
  root: '/r',
  file: 'night.jsonl',
  tasks: ['a1', 'a2', 'a3'],
  counts: { done: 2, failed: 1 },
};

/** A server on 127.0.0.1 that records each POST body and answers with the next status (default 200). */
async function server(statuses: (number | 'hang')[] = []) {
  const got: { body: unknown; headers: http.IncomingHttpHeaders }[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ body: JSON.parse(body) as unknown, headers: req.headers });
      const status = statuses.shift() ?? 200;
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, got };
}

/** A notify command that appends what it got on stdin, and its env, to a file. */
function recorder(out: string): string[] {
  const script =
    "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>require('fs').appendFileSync(process.argv[1],JSON.stringify({stdin:d,event:process.env.HEADLESS_EVENT})+'\\n'))";
  return [process.execPath, '-e', script, out];
}

const config = (over: Record<string, unknown>) => NotifyConfig.parse(over);
const fast = { initialDelayMs: 10, maxDelayMs: 50 };

describe('notifier', () => {
  it('POSTs task.failed and batch.done to a webhook and gives a command the same JSON on stdin', async () => {
    const hook = await server();
    const out = path.join(dir, 'got.jsonl');
    const n = createNotifier(
      config({
        webhook: { url: hook.url, headers: { authorization: 'Bearer x' } },
        command: { argv: recorder(out) },
      }),
      { runner, log, cwd: dir, webhook: fast },
    );
    n.notify(failed);
    n.notify(batch);
    await n.settled();
    expect(hook.got.map((g) => g.body)).toEqual(expect.arrayContaining([failed, batch]));
    expect(hook.got[0]?.headers['content-type']).toBe('application/json');
    expect(hook.got[0]?.headers['authorization']).toBe('Bearer x');
    const lines = (await fs.readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stdin: string; event: string });
    expect(lines.map((l) => JSON.parse(l.stdin) as unknown)).toEqual(expect.arrayContaining([failed, batch]));
    expect(lines.map((l) => l.event).sort()).toEqual(['batch.done', 'task.failed']);
    expect(logged).toEqual([]);
  });

  it('retries a webhook that answers 500 with backoff, and does not retry a 404', async () => {
    const flaky = await server([500, 503, 200]);
    const n = createNotifier(config({ webhook: { url: flaky.url, retries: 3 } }), {
      runner,
      log,
      cwd: dir,
      webhook: fast,
    });
    n.notify(failed);
    await n.settled();
    expect(flaky.got).toHaveLength(3);
    expect(logged).toEqual([]);

    const gone = await server([404, 200]);
    const m = createNotifier(config({ webhook: { url: gone.url } }), {
      runner,
      log,
      cwd: dir,
      webhook: fast,
    });
    m.notify(failed);
    await m.settled();
    expect(gone.got).toHaveLength(1);
    expect(logged).toEqual([
      expect.stringMatching(/^warn webhook notify webhook http:\/\/127\.0\.0\.1:\d+\/hook: HTTP 404$/),
    ]);
  });

  it('a webhook that is down delays nothing: the call returns at once and the command runs meanwhile', async () => {
    const hung = await server(['hang', 'hang', 'hang']);
    const out = path.join(dir, 'got.jsonl');
    const n = createNotifier(
      config({ webhook: { url: hung.url, timeoutMs: 60_000, retries: 2 }, command: { argv: recorder(out) } }),
      { runner, log, cwd: dir, webhook: fast },
    );
    const before = Date.now();
    const returned = n.notify(failed);
    expect(returned).toBeUndefined();
    expect(Date.now() - before).toBeLessThan(1000);
    // The command finishes while the webhook's request is still waiting for an answer.
    await waitFor('the command to record the event', () => fs.readFile(out, 'utf8').catch(() => false));
    await waitFor('the hung request to arrive', () => hung.got.length === 1);
    await n.close();
    expect(hung.got).toHaveLength(1);
  });

  it('logs a refused connection and a failing command, and never throws', async () => {
    const closed = await server();
    const url = closed.url;
    const s = servers.pop() as http.Server;
    await new Promise((r) => s.close(r));
    const n = createNotifier(
      config({
        webhook: { url, retries: 1 },
        command: {
          argv: [process.execPath, '-e', 'console.error("cannot reach the pager");process.exit(4)'],
        },
      }),
      { runner, log, cwd: dir, webhook: fast },
    );
    n.notify(failed);
    await n.settled();
    expect(logged.sort()).toEqual([
      'warn command notify command ' + process.execPath + ': exit 4: cannot reach the pager',
      expect.stringMatching(
        /^warn webhook notify webhook http:\/\/127\.0\.0\.1:\d+\/hook: fetch failed \(ECONNREFUSED\)$/,
      ),
    ]);
  });

  it('sends only the configured events', async () => {
    const out = path.join(dir, 'got.jsonl');
    const n = createNotifier(config({ events: ['batch.done'], command: { argv: recorder(out) } }), {
      runner,
      log,
      cwd: dir,
    });
    n.notify(failed);
    n.notify(batch);
    await n.settled();
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['batch.done']);
  });

  fakeNotifySend.it('shows a desktop notification through notify-send when it is on PATH', async () => {
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    const argvFile = path.join(dir, 'argv.json');
    await fs.writeFile(
      path.join(bin, 'notify-send'),
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)))\n`,
      { mode: 0o755 },
    );
    const n = createNotifier(config({ desktop: true }), {
      runner,
      log,
      cwd: dir,
      env: { PATH: bin },
      platform: 'linux',
    });
    n.notify(failed);
    await n.settled();
    expect(JSON.parse(await fs.readFile(argvFile, 'utf8'))).toEqual([
      '--app-name=headless',
      '--',
      'headless: task failed',
      'a2 · exit code 3 · → headless show a2',
    ]);
    const none = createNotifier(config({ desktop: true }), {
      runner,
      log,
      cwd: dir,
      env: { PATH: dir },
      platform: 'linux',
    });
    none.notify(failed);
    await none.settled();
    expect(logged).toEqual(['warn desktop notify desktop: no way to show one here (install notify-send)']);
  });
});

describe('desktop commands (pure)', () => {
  it('builds a hidden PowerShell toast whose texts cannot break out of the script', () => {
    const cmd = desktopCommand('win32', 'it\'s <done> & "ok"', 'line; Remove-Item x', () => false);
    expect(cmd?.executable).toBe('powershell.exe');
    expect(cmd?.args.slice(0, 5)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const script = Buffer.from(cmd?.args[5] ?? '', 'base64').toString('utf16le');
    expect(script).toBe(windowsToastScript('it\'s <done> & "ok"', 'line; Remove-Item x'));
    expect(script).toContain("$t = [Security.SecurityElement]::Escape('it''s <done> & \"ok\"')");
    expect(script).toContain("$b = [Security.SecurityElement]::Escape('line; Remove-Item x')");
  });

  it('passes texts to osascript as arguments and skips Linux without notify-send', () => {
    expect(desktopCommand('darwin', 't "x"', 'b', () => false)?.args.slice(-2)).toEqual(['t "x"', 'b']);
    expect(desktopCommand('linux', 't', 'b', () => false)).toBeUndefined();
  });

  it('summarizes a batch', () => {
    expect(summarize(batch)).toEqual({
      title: 'headless: batch done',
      body: 'night.jsonl · 2 done, 1 failed',
    });
  });
});
