import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { layout } from '@headless/core/paths';
import { isAlive } from '@headless/core/process/alive';
import { git, makeGitRepo } from '@headless/test-support/git-repo';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { loopLogPath } from './loop-log.js';
import { readLoopsFile } from './loops-file.js';
import { runOrchestrator } from './orchestrator.js';
import { fakeLink, recordingLog, recordingRunner } from './test-kit.js';

const GIT_TOOL = { executable: 'git', argv: ['{args}'], env: { GIT_TERMINAL_PROMPT: '0' } };
const NODE_TOOL = { executable: process.execPath, argv: ['{args}'], writesRepo: false };
const STATUS_STEPS = [
  { tool: 'git', args: ['fetch', '--all', '--prune'] },
  { tool: 'git', args: ['--no-optional-locks', 'status', '-sb'] },
];
const FAST_POLICIES = { shutdown: { graceSec: 2 }, retry: { maxAttempts: 1 } };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function rootWith(
  loops: Record<string, unknown>,
  tools: Record<string, unknown> = { git: GIT_TOOL },
): Promise<string> {
  const { root, cleanup } = await makeTempRoot('headless-orch-');
  cleanups.push(cleanup);
  await writeConfig(root, 'tools.json', { tools, loops });
  await writeConfig(root, 'policies.json', FAST_POLICIES);
  return root;
}

/** Starts the orchestrator; `stop()` aborts it and resolves when it has finished. */
function start(root: string, extra: Partial<Parameters<typeof runOrchestrator>[0]> = {}) {
  const controller = new AbortController();
  const log = recordingLog();
  const done = runOrchestrator({ root, signal: controller.signal, logger: log, random: () => 0.5, ...extra });
  cleanups.unshift(async () => {
    controller.abort();
    await done.catch(() => undefined);
  });
  return {
    log,
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

function readLog(root: string, loop: string): string {
  try {
    return fs.readFileSync(loopLogPath(layout(root).logsDir, loop), 'utf8');
  } catch {
    return '';
  }
}

const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

describe('GitStatusLoop', () => {
  it('fetches and shows status every interval, never running two runs at once', async () => {
    const root = await rootWith({
      GitStatusLoop: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: STATUS_STEPS },
    });
    const repo = await makeGitRepo(path.join(root, 'repo'), { withRemote: true });
    git(repo, 'branch', '-q', '--set-upstream-to', 'origin/main');
    const { runner, calls } = recordingRunner();
    const link = fakeLink();
    const orch = start(root, { runner, link });

    await waitFor(
      'two status outputs in the loop log',
      () => count(readLog(root, 'GitStatusLoop'), /## main\.\.\.origin\/main/) >= 2,
      15000,
    );
    // Someone else pushes: the next fetch brings it and the status after it says so.
    const other = path.join(root, 'other');
    git(root, 'clone', '-q', '-b', 'main', `${repo}.remote.git`, other);
    fs.writeFileSync(path.join(other, 'new.txt'), 'new\n');
    git(other, 'add', '.');
    git(other, 'commit', '-q', '-m', 'new');
    git(other, 'push', '-q', 'origin', 'main');
    await waitFor(
      'the loop to see the new commit',
      () => /## main\.\.\.origin\/main \[behind 1\]/.test(readLog(root, 'GitStatusLoop')),
      15000,
    );
    await orch.stop();

    const text = readLog(root, 'GitStatusLoop');
    expect(count(text, /\$ git fetch --all --prune/)).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^\S+ \[stderr\] +[0-9a-f]+\.\.[0-9a-f]+ +main +-> origin\/main$/m);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[stdout\] ## main\.\.\.origin\/main$/m);
    expect(text).toMatch(/--- run 2 in repo ok/);

    // One loop's processes run strictly one after another, and runs are about an interval apart.
    const finished = calls.filter((c) => c.end !== undefined);
    for (let i = 1; i < finished.length; i++)
      expect(finished[i]!.start).toBeGreaterThanOrEqual(finished[i - 1]!.end!);
    const fetches = finished.filter((c) => c.args[0] === 'fetch');
    // Interval 1 s, no jitter: the runs are about a second apart (process start times wobble by tens
    // of ms on a loaded machine; the schedule maths is tested exactly in schedule.test.ts).
    expect(fetches[1]!.start - fetches[0]!.start).toBeGreaterThanOrEqual(800);

    const state = (await readLoopsFile(layout(root)))?.loops['GitStatusLoop'];
    expect(state).toMatchObject({
      enabled: true,
      running: false,
      lastResult: 'ok',
      failures: 0,
      nextRunAt: null,
    });
    expect(state!.runs).toBeGreaterThanOrEqual(2);

    const events = link.sent.map((s) => s.event);
    expect(events[0]).toBe('ready');
    expect(link.sent).toContainEqual({
      event: 'loop-result',
      payload: expect.objectContaining({ loop: 'GitStatusLoop', repo: 'repo', ok: true }),
    });
    const startedIds = link.sent.filter((s) => s.event === 'task-started').map((s) => s.payload);
    expect(startedIds[0]).toMatchObject({ id: 'loop:GitStatusLoop:repo:1', attempt: 1, tool: 'git' });
    expect(count(events.join(' '), /task-started/)).toBe(count(events.join(' '), /task-finished/));
    expect(link.beat()).toEqual([]);
  });

  it('keeps running when another loop has a missing repo or a failing step', async () => {
    const root = await rootWith({
      Good: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: [STATUS_STEPS[1]] },
      MissingRepo: { intervalSec: 1, jitter: 0, repos: ['no-such-repo'], steps: [STATUS_STEPS[1]] },
      BadStep: {
        intervalSec: 1,
        jitter: 0,
        repos: ['repo'],
        steps: [{ tool: 'git', args: ['definitely-not-a-command'] }, STATUS_STEPS[1]],
      },
    });
    await makeGitRepo(path.join(root, 'repo'));
    const orch = start(root);

    await waitFor(
      'three good runs and two failures of each bad loop',
      async () => {
        const loops = (await readLoopsFile(layout(root)))?.loops;
        return (
          (loops?.['Good']?.runs ?? 0) >= 3 &&
          (loops?.['MissingRepo']?.failures ?? 0) >= 2 &&
          (loops?.['BadStep']?.failures ?? 0) >= 2
        );
      },
      15000,
    );
    await orch.stop();

    const loops = (await readLoopsFile(layout(root)))!.loops;
    expect(loops['Good']).toMatchObject({ lastResult: 'ok', failures: 0 });
    expect(loops['MissingRepo']!.lastResult).toBe('failed');
    expect(loops['MissingRepo']!.lastReason).toMatch(
      /repo "no-such-repo" not found at .*no-such-repo; create it or fix/,
    );
    expect(loops['BadStep']!.lastResult).toBe('failed');
    expect(loops['BadStep']!.lastReason).toMatch(/step 1\/2 \(git definitely-not-a-command\) permanent/);

    const badLog = readLog(root, 'BadStep');
    expect(badLog).toMatch(/\[stderr\] git: 'definitely-not-a-command' is not a git command/);
    // A failing step ends that repo's run: the status step after it never ran.
    expect(badLog).not.toMatch(/status -sb/);
    expect(readLog(root, 'MissingRepo')).toMatch(/\[meta\] repo "no-such-repo" not found/);

    // Logged once per run: as many error records as failed runs.
    const missing = orch.log.records.filter((r) => r.level === 'error' && r.message.includes('no-such-repo'));
    expect(missing.length).toBe(loops['MissingRepo']!.runs);
    expect(
      orch.log.records.some((r) => r.level === 'warn' && r.message.startsWith('loop BadStep run 1 failed')),
    ).toBe(true);
  });
});

describe('config changes', () => {
  const say = (text: string) => [{ tool: 'node', args: ['-e', `console.log(${JSON.stringify(text)})`] }];
  const loopsOf = async (root: string) => (await readLoopsFile(layout(root)))?.loops ?? {};

  it('start, edit and stop loops without a restart: an edited loop runs its new steps, a disabled one stops', async () => {
    const tools = { git: GIT_TOOL, node: NODE_TOOL };
    const root = await rootWith(
      {
        A: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('A first') },
        B: { enabled: false, intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('B here') },
      },
      tools,
    );
    await fs.promises.mkdir(path.join(root, 'repo'));
    const orch = start(root);
    await waitFor('a run of A', async () => ((await loopsOf(root))['A']?.runs ?? 0) >= 1, 15000);
    expect((await loopsOf(root))['B']).toMatchObject({ enabled: false });

    await writeConfig(root, 'tools.json', {
      tools,
      loops: {
        A: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('A edited') },
        B: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('B here') },
      },
    });
    await waitFor(
      'the edited A and the enabled B ran',
      () => readLog(root, 'A').includes('A edited') && readLog(root, 'B').includes('B here'),
      15000,
    );
    expect(
      orch.log.records.some((r) =>
        /config\/ changed: .*starts A, B; stops A after the run in progress/.test(r.message),
      ),
    ).toBe(true);

    await writeConfig(root, 'tools.json', {
      tools,
      loops: {
        A: { enabled: false, intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('A edited') },
        B: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: say('B here') },
      },
    });
    await waitFor('A shown disabled', async () => (await loopsOf(root))['A']?.enabled === false, 15000);
    const aLog = readLog(root, 'A');
    const bRuns = (await loopsOf(root))['B']?.runs ?? 0;
    // B keeps its interval; two more runs of it are time enough for A to have run again had it not stopped.
    await waitFor(
      'two more runs of B',
      async () => ((await loopsOf(root))['B']?.runs ?? 0) >= bRuns + 2,
      15000,
    );
    expect(readLog(root, 'A')).toBe(aLog);
    await orch.stop();
  });
});

describe('stopping', () => {
  it('ends a long step within the kill grace when aborted, leaving no process', async () => {
    const root = await rootWith(
      {
        Sleeper: {
          intervalSec: 60,
          jitter: 0,
          steps: [{ tool: 'node', args: ['-e', 'setTimeout(() => {}, 60000)'] }],
        },
      },
      { node: NODE_TOOL },
    );
    const { runner, calls } = recordingRunner();
    const link = fakeLink();
    const orch = start(root, { runner, link });
    const pid = await waitFor('the step to start', () => calls[0]?.pid);
    expect(isAlive(pid)).toBe(true);
    expect(link.beat()).toEqual([{ id: 'loop:Sleeper:.:1', attempt: 1, tool: 'node', pid }]);

    const t0 = Date.now();
    await orch.stop();
    // policies.shutdown.graceSec 2 -> the tree gets SIGTERM, then SIGKILL after 1 s at the latest.
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(isAlive(pid)).toBe(false);
    expect(link.sent).toContainEqual({
      event: 'task-finished',
      payload: { id: 'loop:Sleeper:.:1', attempt: 1, outcome: 'interrupted' },
    });
    // An interrupted run is not counted as a failure.
    expect((await readLoopsFile(layout(root)))!.loops['Sleeper']).toMatchObject({
      running: false,
      runs: 0,
      failures: 0,
    });
    expect(readLog(root, 'Sleeper')).toMatch(/interrupted: the orchestrator is stopping/);
  });

  it('resolves at once when aborted with no enabled loop', async () => {
    const root = await rootWith({ Off: { enabled: false, steps: [STATUS_STEPS[1]] } });
    const orch = start(root);
    await waitFor('loops.json', async () => (await readLoopsFile(layout(root)))?.loops['Off']);
    await orch.stop();
    expect((await readLoopsFile(layout(root)))!.loops['Off']).toMatchObject({
      enabled: false,
      runs: 0,
      nextRunAt: null,
    });
  });
});

describe('git locks', () => {
  it('shows status without taking index.lock, even while an agent holds it', async () => {
    const root = await rootWith({
      Status: { intervalSec: 1, jitter: 0, repos: ['repo'], steps: [STATUS_STEPS[1]] },
    });
    const repo = await makeGitRepo(path.join(root, 'repo'));
    const gitDir = path.join(repo, '.git');
    const readme = path.join(repo, 'README.md');
    // A changed mtime makes a plain `git status` refresh and rewrite the index under index.lock.
    const touch = (): void =>
      fs.utimesSync(readme, new Date(), new Date(Date.now() + 10_000 + Math.random() * 1000));
    const watchLock = () => {
      const seen: string[] = [];
      const watcher = fs.watch(gitDir, (_e, f) => void (f === 'index.lock' && seen.push(f)));
      return { count: () => seen.length, close: () => watcher.close() };
    };
    // inotify events arrive asynchronously: give them a moment to land before counting.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

    // The test can fail: a plain status under the same watch does take the lock.
    touch();
    const control = watchLock();
    git(repo, 'status', '-sb');
    await waitFor('the control to see index.lock', () => control.count() > 0, 2000);
    control.close();

    touch();
    const watch = watchLock();
    const orch = start(root);
    await waitFor(
      'two status runs',
      async () => ((await readLoopsFile(layout(root)))?.loops['Status']?.runs ?? 0) >= 2,
    );
    await settle();
    expect(watch.count()).toBe(0);
    watch.close();

    // An agent takes the lock: the next status still succeeds and leaves the lock alone.
    fs.writeFileSync(path.join(gitDir, 'index.lock'), '');
    await waitFor(
      'two more status runs',
      async () => ((await readLoopsFile(layout(root)))?.loops['Status']?.runs ?? 0) >= 4,
    );
    await orch.stop();
    expect(fs.existsSync(path.join(gitDir, 'index.lock'))).toBe(true);
    expect((await readLoopsFile(layout(root)))!.loops['Status']).toMatchObject({
      lastResult: 'ok',
      failures: 0,
    });
  });
});
