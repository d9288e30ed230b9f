import fsp from 'node:fs/promises';
import path from 'node:path';
import { pruneTaskLogs } from '@headless/core/log/task-log';
import { checkpointFile, writeCheckpoint } from '@headless/core/queue/ledger-catch-up';
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
  if (pruned.length || ingested) {
    ctx.log.info(
      `housekeeping: removed ${pruned.length} task log(s) and ${ingested} read inbox file(s) older than ${days} days`,
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
