import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@headless/test-support/wait-for';
import { isAlive } from '@headless/core/process/alive';
import type { SupervisorLink } from '@headless/core/ipc/client';
import { dropTasks, makeWorkerRoot, runUntilIdle, stateOf, type WorkerRoot } from './testing/harness.js';

/**
 * Worker behaviours the chaos campaign found wanting (chaos/FINDINGS.md), written as tests while the
 * bugs were open (`it.failing`) and now plain tests of the fixes.
 */

/** Resolves true when `p` settles within `ms`, false otherwise. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
  ]);
}

describe('chaos findings in the worker', () => {
  let w: WorkerRoot;
  afterEach(() => w.cleanup());

  // F1: a queued record that becomes unreadable while the worker runs is skipped by every scan but
  // counted by the idle check: `headless run` never returns, and an error is logged on every scan.
  it('finishes `run --until-idle` when a queued record turns unreadable while it runs', async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 1 } } });
    await dropTasks(w.root, 'a.jsonl', [
      { id: 'slow', tool: 'claude', prompt: 'SCENARIO: hang\nx', timeout_sec: 1 },
    ]);
    const stop = new AbortController();
    const run = runUntilIdle(w, { signal: stop.signal });
    await waitFor('the task to start', async () => (await stateOf(w, 'slow')) === 'processing');
    // A torn write (fsync off and a power cut, a disk error) leaves a cut record behind.
    await fs.writeFile(path.join(w.root, '.tasks', 'queued', 'cut.json'), '{"id":"cut","spec":{"to');
    const finished = await settlesWithin(run, 6000);
    stop.abort();
    await run;
    expect(finished).toBe(true);
  }, 20000);

  // F8: a stop (supervisor gone, STOP.HEADLESS past the grace) marks every running attempt 'stop',
  // and finishAttempt requeues on 'stop' before it looks at the outcome: an attempt whose tool had
  // already exited 0 (its leftovers were being ended) is thrown away and the task runs again. The
  // ledger shows attempt.end success followed by task.requeued, with no interrupted attempt.
  it('completes a task whose tool succeeded when the stop comes while its leftovers are ended', async () => {
    w = await makeWorkerRoot({
      tools: (t) => {
        t.tools['slow'] = { executable: 'slowtool', argv: ['{args}'], writesRepo: false };
      },
      policies: { shutdown: { graceSec: 2 } },
    });
    let lost: () => void = () => undefined;
    const link: SupervisorLink = {
      heartbeatMs: 1000,
      send: () => undefined,
      onShutdown: () => undefined,
      onLost: (cb) => {
        lost = cb;
      },
      onStatusRequest: () => undefined,
      startHeartbeat: () => undefined,
      close: () => undefined,
    };
    // The tool exits 0 after 100 ms and leaves a grandchild that ignores SIGTERM: the attempt then
    // spends the 2 s grace ending it.
    await dropTasks(w.root, 'a.jsonl', [{ id: 'ok', tool: 'slow', args: ['100', '0', '--grandchild'] }]);
    const run = runUntilIdle(w, { untilIdle: false, link });
    const log = path.join(w.root, 'logs', 'task_ok.log');
    const toolPid = await waitFor('the tool to start', async () => {
      const m = /SLOWTOOL_PID=(\d+)/.exec(await fs.readFile(log, 'utf8').catch(() => ''));
      return m ? Number(m[1]) : undefined;
    });
    await waitFor('the tool to exit 0', () => !isAlive(toolPid), 5000, 5);
    lost();
    await run;
    expect(await stateOf(w, 'ok')).toBe('done');
  }, 20000);
});
