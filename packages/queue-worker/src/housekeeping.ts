import fsp from 'node:fs/promises';
import path from 'node:path';
import { pruneTaskLogs } from '@headless/core/log/task-log';
import { checkpointFile, writeCheckpoint } from '@headless/core/queue/ledger-catch-up';
import { selectPrunable } from '@headless/core/task/retention';
import type { WorkerContext } from './context.js';

/**
 * Logs cannot fill the disk: per-task logs (and read inbox files) past the retention go, at boot
 * and hourly. The ledger checkpoint moves on while nothing is between a move and its ledger line,
 * so the next recovery reads only the ledger written since.
 */
export async function housekeeping(ctx: WorkerContext): Promise<void> {
  const now = ctx.clock.now();
  const days = ctx.policies.logs.retentionDays;
  const pruned = await pruneTaskLogs(ctx.paths.logsDir, { retentionDays: days, now });
  const ingested = await pruneOldFiles(ctx.paths.ingestedDir, days, now);
  const retired = await retireFinished(ctx, days, now);
  if (pruned.length || ingested || retired) {
    const how = ctx.policies.logs.finishedRecords === 'archive' ? 'archived' : 'deleted';
    ctx.log.info(
      `housekeeping: removed ${pruned.length} task log(s) and ${ingested} read inbox file(s), ${how} ${retired} finished task record(s), all older than ${days} days`,
    );
  }
  await checkpointLedger(ctx);
}

export async function checkpointLedger(ctx: WorkerContext): Promise<void> {
  if (!ctx.transitions.settled || ctx.transitions.ledgerBehind) return;
  await ctx.ledger.flush();
  await writeCheckpoint(
    checkpointFile(ctx.paths.ledgerCheckpoint),
    ctx.paths.ledger,
    new Date(ctx.clock.now()),
  );
}

/** Finished records past the retention leave the store (never a queued, running or parked one). */
async function retireFinished(ctx: WorkerContext, retentionDays: number, now: number): Promise<number> {
  const how = ctx.policies.logs.finishedRecords;
  let n = 0;
  for (const state of ['done', 'failed'] as const) {
    const records = await ctx.store.list(state);
    const old = selectPrunable(
      records.map((r) => ({ id: r.id, state: r.state, updatedAt: r.updatedAt })),
      { retentionDays, now },
    );
    for (const id of old) if (await ctx.transitions.retire(state, id, how)) n++;
  }
  return n;
}

/** Removes files in `dir` older than the retention; returns how many. */
async function pruneOldFiles(dir: string, retentionDays: number, now: number): Promise<number> {
  const cutoff = now - retentionDays * 86_400_000;
  let n = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (st?.isFile() && st.mtimeMs < cutoff) {
      await fsp.rm(file, { force: true });
      n++;
    }
  }
  return n;
}
