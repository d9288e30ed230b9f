import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { pathWithFakes } from '@headless/test-support/fakes';
import { fakeToolsConfig } from '@headless/test-support/fake-tools';
import { waitFor } from '@headless/test-support/wait-for';
import type { SupervisorState } from '@headless/supervisor/state-file';

// packages/cli/dist/bundle.e2e.test.js -> the repository's dist/ (scripts/bundle.mjs, `npm run build`).
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BUNDLE = path.join(REPO, 'dist');
const CLI = path.join(REPO, 'packages', 'cli', 'bin', 'headless.js');

// posix-guard: portable (the /proc check below is made only where /proc exists; the rest runs anywhere).
/** A live process's command line (Linux /proc; elsewhere undefined and the checks are left out). */
function cmdlineOf(pid: number): string[] | undefined {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) ? readFileSync(file, 'utf8').split('\0') : undefined;
}

/** A live process's environment as NAME=value entries (Linux /proc; elsewhere undefined). */
function environOf(pid: number): string[] | undefined {
  const file = `/proc/${pid}/environ`;
  return existsSync(file) ? readFileSync(file, 'utf8').split('\0') : undefined;
}

/** The script a live process runs. */
const scriptOf = (pid: number): string | undefined => cmdlineOf(pid)?.find((a) => a.endsWith('.js'));

/** Whether a live process was started with `--snapshot-blob`. */
const fromSnapshot = (pid: number): boolean | undefined => cmdlineOf(pid)?.includes('--snapshot-blob');

/** Whether `npm run build` made the worker's startup snapshot for this Node (scripts/bundle.mjs). */
function snapshotBuilt(): boolean {
  const stamp = path.join(BUNDLE, 'worker.blob.json');
  if (!existsSync(stamp) || !existsSync(path.join(BUNDLE, 'worker.blob'))) return false;
  return (JSON.parse(readFileSync(stamp, 'utf8')) as { node?: string }).node === process.version;
}

/**
 * The build users run: `npm run build` bundles each process, bin/headless.js (npx headless, the
 * registered service, npm start) loads the bundle, and the bundled supervisor forks the bundled
 * children. A queue-only config forks no orchestrator until a loop is enabled.
 */
describe('the bundled CLI (npm run build): the tree users run', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-bundle-'));
    const tools = fakeToolsConfig({ loops: false });
    await writeConfig(root, 'tools.json', tools);
    await writeConfig(root, 'policies.json', {
      worker: { settleMs: 0, rescanIntervalMs: 200 },
      heartbeat: { intervalSec: 1, staleAfterSec: 10 },
    });
  });
  afterEach(() => cleanup());

  // No malloc setting of the caller's: the supervisor's own default for its children is checked below.
  const env = {
    ...process.env,
    PATH: pathWithFakes(),
    HEADLESS_ROOT: '',
    MALLOC_ARENA_MAX: undefined,
    GLIBC_TUNABLES: undefined,
  };
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--root', root], { env, encoding: 'utf8', windowsHide: true });
  const supState = async (): Promise<SupervisorState | undefined> =>
    JSON.parse(
      await fs.readFile(path.join(root, '.tasks', 'run', 'supervisor.json'), 'utf8').catch(() => 'null'),
    ) as SupervisorState | undefined;

  it('runs a task through the bundled worker, forks the orchestrator once a loop is enabled, and stops', async () => {
    expect(existsSync(path.join(BUNDLE, 'headless.js'))).toBe(true); // else: run `npm run build`
    const sup = spawn(process.execPath, [CLI, 'start', '--root', root], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let out = '';
    sup.stdout.on('data', (c: Buffer) => (out += c.toString()));
    sup.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => sup.once('exit', (code) => resolve(code)));
    try {
      const first = await waitFor(
        'the worker running and the orchestrator left out',
        async () => {
          const s = await supState();
          return s?.children.worker.state === 'running' && s.children.orchestrator.reason ? s : undefined;
        },
        30000,
      );
      expect(first.children.orchestrator).toMatchObject({
        pid: null,
        reason: 'not started (no loop enabled)',
      });
      const workerScript = scriptOf(first.children.worker.pid!);
      if (workerScript !== undefined) expect(workerScript).toBe(path.join(BUNDLE, 'worker.js'));
      // On POSIX the build makes the worker's startup snapshot, and the supervisor forks from it.
      if (process.platform !== 'win32') expect(snapshotBuilt()).toBe(true);
      const snap = fromSnapshot(first.children.worker.pid!);
      if (snap !== undefined) expect(snap).toBe(snapshotBuilt());
      // glibc gets two malloc arenas in the worker (child-flags.ts childMallocEnv).
      const workerEnv = environOf(first.children.worker.pid!);
      if (workerEnv !== undefined && process.platform === 'linux')
        expect(workerEnv).toContain('MALLOC_ARENA_MAX=2');

      const file = path.join(root, 'tasks.jsonl');
      await fs.writeFile(file, `${JSON.stringify({ id: 'g1', tool: 'git', args: ['--version'] })}\n`);
      expect(cli('enqueue', file).status).toBe(0);
      await waitFor('the task done', () => existsSync(path.join(root, '.tasks', 'done', 'g1.json')), 30000);
      const status = cli('status', '--json');
      expect(status.status).toBe(0);
      const report = JSON.parse(status.stdout) as { counts: { done: number }; supervisor?: SupervisorState };
      expect(report.counts.done).toBe(1);
      expect(report.supervisor?.children.orchestrator.reason).toBe('not started (no loop enabled)');

      const tools = JSON.parse(await fs.readFile(path.join(root, 'config', 'tools.json'), 'utf8')) as {
        loops: Record<string, unknown>;
      };
      tools.loops = {
        Version: {
          intervalSec: 3600,
          jitter: 0,
          repos: ['.'],
          steps: [{ tool: 'git', args: ['--version'] }],
        },
      };
      await writeConfig(root, 'tools.json', tools);
      const orch = await waitFor(
        'the orchestrator forked after the config change',
        async () => {
          const o = (await supState())?.children.orchestrator;
          return o?.state === 'running' && o.pid ? o.pid : undefined;
        },
        30000,
      );
      const orchScript = scriptOf(orch);
      if (orchScript !== undefined) expect(orchScript).toBe(path.join(BUNDLE, 'orchestrator.js'));

      expect(cli('stop').status).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      if (sup.exitCode === null) sup.kill('SIGKILL');
      if (sup.exitCode === null) await exited;
    }
    expect(out).not.toContain('Dynamic require');
  }, 120000);
});
