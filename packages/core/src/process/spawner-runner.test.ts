import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAlive } from './alive.js';
import { createSpawnerRunner } from './spawner-runner.js';
import { serveSpawner } from './spawner-serve.js';
import type { FromSpawner, WireRequest } from './spawner-protocol.js';
import { runnerKindFor, SPAWNER_EXEC_ARGV, spawnerEntry } from './worker-runner.js';
import { nodeEnv, tempDir, waitFor } from './test-kit.js';
import type { RunRequest } from './types.js';
import { posixOnly } from '../platform-kit.js';

const posix = posixOnly('the spawner runs on POSIX only (Windows keeps the in-process runner)');
const here = path.dirname(fileURLToPath(import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** A child and a grandchild that ignores SIGTERM, both printing their pid, then idling. */
const TREE = `
const { spawn } = require('child_process');
spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});console.log('gc '+process.pid);setInterval(()=>{},1000)"], { stdio: ['ignore', 'inherit', 'inherit'] });
console.log('child ' + process.pid);
setInterval(() => {}, 1000);`;

function node(script: string, extra: Partial<RunRequest> = {}): RunRequest {
  return {
    executable: 'node',
    args: ['-e', script],
    cwd: dir,
    env: nodeEnv(),
    timeoutMs: 60000,
    killGraceMs: 300,
    ...extra,
  };
}

const pidsOf = (lines: string[]) =>
  lines
    .map((l) => /^(?:child|gc|spawner) (\d+)$/.exec(l)?.[1])
    .filter((p) => p !== undefined)
    .map(Number);

describe('runnerKindFor', () => {
  it('uses the spawner on POSIX unless turned off, never on Windows', () => {
    expect(runnerKindFor('auto', 'linux')).toBe('spawner');
    expect(runnerKindFor('auto', 'darwin')).toBe('spawner');
    expect(runnerKindFor('auto', 'win32')).toBe('in-process');
    expect(runnerKindFor('off', 'linux')).toBe('in-process');
  });
});

posix.describe('spawner runner: lifetime', () => {
  it('a spawner killed mid-run: the tree is ended, the run ends runner-lost naming the spawner, the next run gets a new spawner', async () => {
    const runner = createSpawnerRunner({ entry: spawnerEntry(), execArgv: SPAWNER_EXEC_ARGV });
    const lines: string[] = [];
    const pending = runner.run(node(TREE, { onLine: (_s, l) => lines.push(l) }));
    await waitFor('the tool and its grandchild', () => pidsOf(lines).length === 2);
    const first = runner.spawnerPid();
    expect(first).toBeGreaterThan(0);
    process.kill(first!, 'SIGKILL');
    const r = await pending;
    expect(r.endReason).toBe('runner-lost');
    expect(r.error).toMatch(
      /^the spawner process \(pid \d+, which starts tools for the worker\) was killed \(SIGKILL\) while node ran/,
    );
    expect(r.survivors).toEqual([]);
    for (const pid of pidsOf(lines)) expect(isAlive(pid)).toBe(false);

    const again = await runner.run(node("console.log('again')"));
    expect(again).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: 'again' });
    expect(runner.spawnerPid()).not.toBe(first);
    await runner.close();
  });

  it('the worker killed -9: the spawner ends every tree it started and exits', async () => {
    const harness = path.join(dir, 'worker-harness.mjs');
    await fs.writeFile(
      harness,
      `import { createSpawnerRunner } from ${JSON.stringify(pathToFileURL(path.join(here, 'spawner-runner.js')).href)};
import { spawnerEntry } from ${JSON.stringify(pathToFileURL(path.join(here, 'worker-runner.js')).href)};
const runner = createSpawnerRunner({ entry: spawnerEntry() });
const req = { executable: process.execPath, args: ['-e', ${JSON.stringify(TREE)}], cwd: process.cwd(), env: { PATH: process.env.PATH }, timeoutMs: 60000, killGraceMs: 5000 };
let told = false;
void runner.run({ ...req, onLine: (_s, l) => { console.log(l); if (!told) { told = true; console.log('spawner ' + runner.spawnerPid()); } } });
`,
    );
    const worker = spawn(process.execPath, [harness], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    worker.stdout.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
    await waitFor('the spawner, the tool and its grandchild', () => pidsOf(lines).length === 3, 20000);
    worker.kill('SIGKILL');
    // The grandchild ignores SIGTERM and the run's grace is 5 s: only the spawner's SIGKILL of the group ends it soon.
    for (const pid of pidsOf(lines)) await waitFor(`pid ${pid} to end`, () => !isAlive(pid), 10000);
  });

  it('lets an idle (or warmed, unused) spawner go, and starts a new one for the next run', async () => {
    const runner = createSpawnerRunner({ entry: spawnerEntry(), idleExitMs: 50 });
    runner.warm();
    const warmed = runner.spawnerPid();
    expect(warmed).toBeGreaterThan(0);
    await waitFor(
      'the warmed spawner to go unused',
      () => !isAlive(warmed!) && runner.spawnerPid() === undefined,
    );
    expect((await runner.run(node(''))).endReason).toBe('exited');
    const first = runner.spawnerPid();
    await waitFor('the idle spawner to exit', () => !isAlive(first!) && runner.spawnerPid() === undefined);
    expect((await runner.run(node("console.log('back')"))).stdout).toBe('back');
    expect(runner.spawnerPid()).not.toBe(first);
    await runner.close();
    expect(runner.spawnerPid()).toBeUndefined();
    // A hand-over warms after an in-process run ends, which can come after the stop closed the runner.
    runner.warm();
    expect(runner.spawnerPid()).toBeUndefined();
  });
});

posix.describe('spawner: lines', () => {
  it('batches a chatty tool per tick, in order, and reports the result once', async () => {
    const sent: FromSpawner[] = [];
    let handler: (m: unknown) => void = () => undefined;
    serveSpawner(
      { send: (m) => sent.push(m), onMessage: (h) => (handler = h), onClose: () => undefined },
      () => undefined,
    );
    const req: WireRequest = {
      executable: 'node',
      args: ['-e', "process.stdout.write(Array.from({ length: 2000 }, (_, i) => 'l' + i + '\\n').join(''))"],
      cwd: dir,
      env: nodeEnv(),
      timeoutMs: 60000,
      killGraceMs: 300,
      lines: true,
      prompts: false,
    };
    handler({ t: 'run', id: 7, req });
    await waitFor('the result', () => sent.some((m) => m.t === 'done'));
    const batches = sent.flatMap((m) => (m.t === 'lines' ? [m.lines] : []));
    const lines = batches.flat().map(([, l]) => l);
    expect(lines).toEqual(Array.from({ length: 2000 }, (_, i) => `l${i}`));
    expect(batches.length).toBeLessThan(200);
    expect(sent.map((m) => m.t)).toEqual(['ready', 'spawn', ...batches.map(() => 'lines'), 'done']);
  });
});
