import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './alive.js';
import { makeRunner, RUNNER_KINDS } from './runner-kit.js';
import { nodeEnv, tempDir, waitFor } from './test-kit.js';
import type { ProcessRunner, RunRequest } from './types.js';
import { posixOnly } from '../platform-kit.js';

const shebangs = posixOnly('a #! interpreter line and the execute bit are POSIX file semantics');

let runner: ProcessRunner;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

function node(script: string, extra: Partial<RunRequest> = {}): RunRequest {
  return {
    executable: 'node',
    args: ['-e', script],
    cwd: dir,
    env: nodeEnv(),
    timeoutMs: 10000,
    killGraceMs: 500,
    ...extra,
  };
}

/** A child that starts a grandchild ignoring SIGTERM; both print their pid and then idle forever. */
const TREE_WITH_STUBBORN_GRANDCHILD = `
const { spawn } = require('child_process');
spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});console.log('gc '+process.pid);setInterval(()=>{},1000)"], { stdio: ['ignore', 'inherit', 'inherit'] });
console.log('child ' + process.pid);
setInterval(() => {}, 1000);`;

function pidsFrom(lines: string[]): number[] {
  return lines
    .map((l) => /^(?:child|gc) (\d+)$/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
}

describe.each(RUNNER_KINDS)('process runner (%s)', (kind) => {
  beforeAll(() => {
    runner = makeRunner(kind);
  });
  afterAll(() => runner.close?.());

  it('captures the exit code, stdout and stderr', async () => {
    const r = await runner.run(node('console.log("out"); console.error("err"); process.exit(3)'));
    expect(r).toMatchObject({
      endReason: 'exited',
      exitCode: 3,
      signal: null,
      stdout: 'out',
      stderr: 'err',
      survivors: [],
    });
    expect(r.pid).toBeGreaterThan(0);
  });

  it('closes stdin so a child reading it gets EOF at once', async () => {
    const r = await runner.run(
      node("process.stdin.resume(); process.stdin.on('end', () => { console.log('eof'); process.exit(0) })", {
        timeoutMs: 5000,
      }),
    );
    expect(r.endReason).toBe('exited');
    expect(r.stdout).toBe('eof');
  });

  it('feeds input and then closes stdin', async () => {
    const r = await runner.run(
      node(
        "let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => console.log('got ' + s))",
        { input: 'a long prompt\nline 2' },
      ),
    );
    expect(r.stdout).toBe('got a long prompt\nline 2');
  });

  it('gives the child exactly the environment it was given', async () => {
    process.env.HEADLESS_TEST_PARENT_ONLY = 'parent';
    try {
      const r = await runner.run(
        node('console.log(JSON.stringify(process.env))', { env: nodeEnv({ ONLY_THIS: 'yes' }) }),
      );
      const childEnv = JSON.parse(r.stdout) as Record<string, string>;
      expect(childEnv.ONLY_THIS).toBe('yes');
      expect(childEnv.HEADLESS_TEST_PARENT_ONLY).toBeUndefined();
      expect(childEnv.HOME).toBeUndefined();
    } finally {
      delete process.env.HEADLESS_TEST_PARENT_ONLY;
    }
  });

  it('reports a program missing from the child PATH as not-found, quickly and without throwing', async () => {
    const started = Date.now();
    const r = await runner.run({ ...node(''), executable: 'headless-no-such-tool' });
    expect(r).toMatchObject({
      endReason: 'not-found',
      pid: undefined,
      error: 'headless-no-such-tool not found on PATH',
      survivors: [],
    });
    // node is on the runner's PATH but not on the child's: the child's PATH decides.
    const r2 = await runner.run({ ...node(''), env: { PATH: '/nonexistent' } });
    expect(r2.endReason).toBe('not-found');
    const r3 = await runner.run({ ...node(''), executable: path.join(dir, 'missing', 'tool') });
    expect(r3.endReason).toBe('not-found');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('spawns the path the run-time check found without searching PATH again, and a vanished one is not-found', async () => {
    // The child's PATH has no node: only the handed-over path can start it.
    const found = { ...node('console.log("ran")'), env: { PATH: '/nonexistent' } };
    const r = await runner.run({ ...found, resolvedExecutable: process.execPath });
    expect(r).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: 'ran' });
    const gone = await runner.run({ ...found, resolvedExecutable: path.join(dir, 'gone', 'node') });
    expect(gone).toMatchObject({ endReason: 'not-found', error: 'node not found on PATH' });
  });

  it('reports a missing working folder as spawn-error', async () => {
    const r = await runner.run(node('', { cwd: path.join(dir, 'no-such-folder') }));
    expect(r.endReason).toBe('spawn-error');
    expect(r.error).toContain('no-such-folder');
  });

  shebangs.it(
    'reports a script whose interpreter is missing, and a file without the execute bit, as not-found with the reason',
    async () => {
      const script = path.join(dir, 'no-interpreter.sh');
      await fs.writeFile(script, '#!/nonexistent/interpreter\necho hi\n', { mode: 0o755 });
      const r = await runner.run({ ...node(''), executable: script, args: [] });
      expect(r.endReason).toBe('not-found');
      expect(r.error).toContain(script);
      expect(r.error).toContain('interpreter');
      const notExecutable = path.join(dir, 'not-executable');
      await fs.writeFile(notExecutable, 'echo hi\n', { mode: 0o644 });
      const r2 = await runner.run({ ...node(''), executable: notExecutable, args: [] });
      expect(r2.endReason).toBe('not-found');
    },
  );

  it('reports a missing working folder as spawn-error', async () => {
    const r = await runner.run(node('', { cwd: path.join(dir, 'no-such-folder') }));
    expect(r.endReason).toBe('spawn-error');
    expect(r.error).toContain('no-such-folder');
  });

  shebangs.it('runs an executable script without a #! line with /bin/sh, as execvp does', async () => {
    const script = path.join(dir, `no-shebang-${kind.replace(/\W/g, '-')}.sh`);
    await fs.writeFile(script, 'echo "ran by sh: $1"\n', { mode: 0o755 });
    const r = await runner.run({ ...node(''), executable: script, args: ['arg one'] });
    expect(r.endReason).toBe('exited');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trimEnd()).toBe('ran by sh: arg one');
  });

  it('calls onSpawn with the pid before any line, and onLine with every line in order', async () => {
    const events: string[] = [];
    const r = await runner.run(
      node(
        "for (let i = 0; i < 2000; i++) { console.log('o' + i); if (i % 100 === 0) console.error('e' + i) }",
        {
          onSpawn: (pid) => events.push(`spawn ${pid}`),
          onLine: (stream, line) => events.push(`${stream} ${line}`),
        },
      ),
    );
    expect(events[0]).toBe(`spawn ${r.pid}`);
    const out = events.filter((e) => e.startsWith('stdout '));
    const err = events.filter((e) => e.startsWith('stderr '));
    expect(out).toEqual(Array.from({ length: 2000 }, (_, i) => `stdout o${i}`));
    expect(err).toEqual(Array.from({ length: 20 }, (_, i) => `stderr e${i * 100}`));
  });

  it('passes shell metacharacters to the child literally', async () => {
    const args = [
      '$(whoami)',
      '`id`',
      'a;b',
      'x && y',
      'p | q',
      '"double"',
      "'single'",
      '%PATH%',
      '$HOME',
      '*',
      '> out.txt',
      'new\nline',
    ];
    const r = await runner.run({
      ...node(''),
      args: ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...args],
    });
    expect(JSON.parse(r.stdout)).toEqual(args);
    await expect(fs.access(path.join(dir, 'out.txt'))).rejects.toThrow();
  });

  it('refuses an argument with a NUL byte as a spawn error, never cutting it short', async () => {
    const r = await runner.run({ ...node(''), args: ['-e', 'console.log("ran")', 'a\0b'] });
    expect(r.endReason).toBe('spawn-error');
    expect(r.stdout).toBe('');
    expect(r.error).toMatch(/null bytes/);
  });

  it('ends the whole tree on timeout, including a grandchild that ignores SIGTERM', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const r = await runner.run(
      node(TREE_WITH_STUBBORN_GRANDCHILD, {
        timeoutMs: 1000,
        killGraceMs: 300,
        onLine: (_s, l) => lines.push(l),
      }),
    );
    const took = Date.now() - started;
    const pids = pidsFrom(lines);
    expect(pids).toHaveLength(2);
    expect(r.endReason).toBe('timeout');
    expect(r.survivors).toEqual([]);
    await waitFor('the tree to be gone', () => pids.every((p) => !isAlive(p)), 1000);
    // timeout + grace + bookkeeping; a runner waiting on the grandchild's pipe would take far longer.
    expect(took).toBeLessThan(1000 + 300 + 1500);
  });

  it('ends a silent process on the idle timeout', async () => {
    // The idle clock starts at the spawn: it must outlast a Node start on a loaded box (the test once
    // saw a 300 ms one end the child before its first line), and stay far below the wall clock.
    const r = await runner.run(
      node("console.log('started'); setInterval(() => {}, 1000)", {
        idleTimeoutMs: 1000,
        timeoutMs: 10000,
        killGraceMs: 200,
      }),
    );
    expect(r.endReason).toBe('idle');
    expect(r.durationMs).toBeLessThan(5000);
    expect(r.stdout).toBe('started');
  });

  it('resets the idle timer on output, so a chatty process ends on the wall-clock timeout', async () => {
    const r = await runner.run(
      // Idle counts from the spawn, so the first tick comes at once (node may take a while to start on a loaded machine).
      node("console.log('tick'); setInterval(() => console.log('tick'), 50)", {
        idleTimeoutMs: 500,
        timeoutMs: 1500,
        killGraceMs: 200,
      }),
    );
    expect(r.endReason).toBe('timeout');
    expect(r.stdout.split('\n').length).toBeGreaterThan(5);
  });

  it('ends the tree when the signal aborts, and does not start at all when it is already aborted', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const pending = runner.run(
      node(TREE_WITH_STUBBORN_GRANDCHILD, {
        signal: controller.signal,
        killGraceMs: 200,
        onLine: (_s, l) => {
          lines.push(l);
          if (pidsFrom(lines).length === 2) controller.abort();
        },
      }),
    );
    const r = await pending;
    expect(r.endReason).toBe('aborted');
    expect(r.survivors).toEqual([]);
    await waitFor('the tree to be gone', () => pidsFrom(lines).every((p) => !isAlive(p)), 1000);

    const spawned: number[] = [];
    const r2 = await runner.run(
      node('console.log(1)', { signal: controller.signal, onSpawn: (p) => spawned.push(p) }),
    );
    expect(r2).toMatchObject({ endReason: 'aborted', pid: undefined });
    expect(spawned).toEqual([]);
  });

  it('ends what a finished child left running in its group', async () => {
    const script = `
const { spawn } = require('child_process');
const gc = spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});setInterval(()=>{},1000)"], { stdio: 'ignore' });
console.log('gc ' + gc.pid);
gc.unref();`;
    const r = await runner.run(node(script, { killGraceMs: 200 }));
    expect(r).toMatchObject({ endReason: 'exited', exitCode: 0, survivors: [] });
    const [gc] = pidsFrom([r.stdout]);
    expect(gc).toBeDefined();
    await waitFor('the left-over grandchild to be gone', () => !isAlive(gc ?? 0), 1000);
  });

  it('does not wait forever for a grandchild that escaped the group and holds stdout open', async () => {
    const script = `
const { spawn } = require('child_process');
const gc = spawn(process.execPath, ['-e', "setTimeout(()=>{},20000)"], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
console.log('gc ' + gc.pid);
gc.unref();`;
    const started = Date.now();
    const r = await runner.run(node(script));
    const [gc] = pidsFrom([r.stdout]);
    try {
      expect(r.endReason).toBe('exited');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(gc).toBeDefined();
    } finally {
      if (gc !== undefined && isAlive(gc)) process.kill(gc, 'SIGKILL');
    }
  });

  it('redacts secrets in onLine and in the captured output', async () => {
    const secret = 'sk-test-0123456789abcdef';
    const lines: string[] = [];
    const r = await runner.run(
      node("console.log('key=' + process.env.API_KEY); console.error('again ' + process.env.API_KEY + '!')", {
        env: nodeEnv({ API_KEY: secret }),
        redact: [secret],
        onLine: (_s, l) => lines.push(l),
      }),
    );
    expect(lines).toEqual(expect.arrayContaining(['key=***', 'again ***!']));
    expect(r.stdout).toBe('key=***');
    expect(r.stderr).toBe('again ***!');
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it('streams a 100 MB flood with bounded memory, keeping only the tail', async () => {
    // 1600 writes of 64 KiB, each 64 lines of 1023 'x' and a newline, the last line numbered.
    const script = `
const line = 'x'.repeat(1023) + '\\n';
const block = line.repeat(64);
let n = 0;
function write() {
  let ok = true;
  while (n < 1600 && ok) { ok = process.stdout.write(block); n++; }
  if (n < 1600) process.stdout.once('drain', write); else process.stdout.write('last line\\n');
}
write();`;
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    const started = Date.now();
    const r = await runner.run(
      node(script, {
        timeoutMs: 30000,
        maxCaptureBytes: 64 * 1024,
        onLine: () => {
          if (++count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        },
      }),
    );
    const took = Date.now() - started;
    expect(r.endReason).toBe('exited');
    expect(count).toBe(1600 * 64 + 1);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(r.stdout.endsWith('\nlast line')).toBe(true);
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
    expect(took).toBeLessThan(20000);
  });
});
