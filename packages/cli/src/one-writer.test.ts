import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { readLedger } from '@headless/core/ledger/ledger';
import { layout } from '@headless/core/paths';
import { TASK_STATES } from '@headless/core/task/record';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { pathWithFakes } from '@headless/test-support/fakes';
import { testTasks } from '@headless/test-support/tasks';
import { waitFor } from '@headless/test-support/wait-for';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'bin.js');
const run = promisify(execFile);

/** Tasks that fail at once the first time they run and succeed when retried (a marker file). */
const FLAKY =
  "const fs=require('fs');const f='ran-'+process.argv[1];if(fs.existsSync(f))process.exit(0);fs.writeFileSync(f,'');setTimeout(()=>process.exit(3),Number(process.argv[2]))";

describe('one writer of task state: the CLI racing a running tree', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-race-'));
    const tools = defaultToolsConfig();
    tools.loops = {};
    await writeConfig(root, 'tools.json', tools);
    await writeConfig(root, 'policies.json', {
      worker: { settleMs: 0, rescanIntervalMs: 200, concurrency: 3 },
      retry: { maxAttempts: 1 },
      heartbeat: { intervalSec: 1, staleAfterSec: 10 },
      shutdown: { graceSec: 2 },
    });
  });
  afterEach(() => cleanup());

  it('keeps every task in one state, never overlaps attempts, and reports exactly what happened', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const tasks = testTasks(root);
    await tasks.enqueue(
      ids.map((id, i) => ({ id, tool: 'node', args: ['-e', FLAKY, id, String(50 + (i % 4) * 150)] })),
    );
    for (const id of ids) await tasks.fail(id, 'failed before the test');
    await tasks.close();

    const env = { ...process.env, PATH: pathWithFakes(), HEADLESS_ROOT: '' };
    const sup = spawn(process.execPath, [BIN, 'start', '--root', root], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: root,
    });
    let supOut = '';
    sup.stdout.on('data', (d: Buffer) => (supOut += d.toString()));
    sup.stderr.on('data', (d: Buffer) => (supOut += d.toString()));
    try {
      await waitFor(
        'the worker',
        () =>
          fs.access(layout(root).workerHeartbeat).then(
            () => true,
            () => false,
          ),
        20_000,
      );
      const cli = (...args: string[]) =>
        run(process.execPath, [BIN, ...args, '--root', root], { env, cwd: root }).then(
          (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
          (e: { code?: number; stdout?: string; stderr?: string }) => ({
            code: e.code ?? -1,
            out: e.stdout ?? '',
            err: e.stderr ?? '',
          }),
        );
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const ops: { op: string; id?: string; res: { code: number; out: string; err: string } }[] = [];
      const OPS = Number(process.env.HEADLESS_RACE_OPS ?? 36);
      const pick = () => ids[rand(ids.length)] as string;
      for (let i = 0; i < OPS; i += 6) {
        const batch = Array.from({ length: 6 }, async () => {
          const kind = rand(3);
          const id = pick();
          if (kind === 0) ops.push({ op: 'retry', id, res: await cli('retry', id) });
          else if (kind === 1) ops.push({ op: 'retry --failed', res: await cli('retry', '--failed') });
          else ops.push({ op: 'cancel', id, res: await cli('cancel', id, '--wait', '20') });
        });
        await Promise.all(batch);
      }
      // Idle: nothing queued or processing.
      const probe = testTasks(root);
      await waitFor(
        'the tree to be idle',
        async () =>
          (await probe.store.ids('queued')).length === 0 &&
          (await probe.store.ids('processing')).length === 0,
        60_000,
        100,
      );
      // Every id in exactly one state.
      for (const id of ids) {
        const where: string[] = [];
        for (const s of TASK_STATES) if ((await probe.store.ids(s)).includes(id)) where.push(s);
        expect({ id, where }).toEqual({ id, where: [expect.any(String)] });
      }
      const { records } = await readLedger(layout(root).ledger);
      // No two attempts of one task overlapped: each attempt.start follows the previous attempt.end.
      for (const id of ids) {
        const mine = records.filter(
          (r) => r.task === id && (r.event === 'attempt.start' || r.event === 'attempt.end'),
        );
        for (let i = 0; i < mine.length; i++) {
          expect({ id, i, event: mine[i]?.event }).toEqual({
            id,
            i,
            event: i % 2 === 0 ? 'attempt.start' : 'attempt.end',
          });
        }
      }
      // Every printed count is exact: the sum of "N task(s) back in the queue" equals the retries in the ledger.
      const printed = ops
        .filter((o) => o.op.startsWith('retry'))
        .reduce((n, o) => n + Number(/(\d+) task\(s\) back in the queue/.exec(o.res.out)?.[1] ?? 0), 0);
      const retried = records.filter(
        (r) => r.event === 'task.requeued' && String(r.reason).startsWith('retried by the user'),
      );
      expect(printed).toBe(retried.length);
      // Every user retry reset the attempts: each retried attempt run is attempt 1.
      for (const r of records.filter((x) => x.event === 'attempt.start')) expect(r.attempt).toBe(1);
      // A cancel that said "cancelled" did cancel: its task has a task.cancelled line.
      for (const o of ops.filter((x) => x.op === 'cancel' && x.res.out.startsWith('cancelled'))) {
        expect(records.some((r) => r.event === 'task.cancelled' && r.task === o.id)).toBe(true);
      }
      // Every task's ledger lines carry the record's revisions in order.
      for (const id of ids) {
        const revs = records
          .filter((r) => r.task === id && typeof r['rev'] === 'number')
          .map((r) => r['rev'] as number);
        expect(revs).toEqual([...revs].sort((a, b) => a - b));
      }
      await probe.close();
    } finally {
      // posix-guard: portable (a clean-up: on Windows SIGTERM ends it at once, as SIGKILL would).
      sup.kill('SIGTERM');
      await waitFor(
        'the supervisor to stop',
        () => sup.exitCode !== null || sup.signalCode !== null,
        20_000,
      ).catch(() => {
        sup.kill('SIGKILL');
      });
      if (process.env.HEADLESS_RACE_DEBUG) process.stderr.write(supOut);
    }
  }, 180_000);
});
