import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { Ledger } from '@headless/core/ledger/ledger';
import { MissingTaskError } from '@headless/core/queue/folder-store';
import { validateTaskLine, validationContext } from '@headless/core/task/validate';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { breakerResetDir, lockHolderAlive, readHeartbeat } from '@headless/core/run-state/worker-files';
import type { BreakersSnapshot } from '@headless/core/policy/tool-breakers';
import { openContext, type CliContext } from '../context.js';

interface RetryOptions {
  failed?: boolean;
  quarantined?: boolean;
  resetBreaker?: string;
  discardRejected?: boolean;
}

export function register(program: Command): void {
  program
    .command('retry')
    .description(
      'put failed or quarantined tasks back in the queue with fresh attempts (quarantined lines are validated again)',
    )
    .argument('[id]', 'task id')
    .option('--failed', 'every failed task')
    .option('--quarantined', 'every quarantined task and rejected input line')
    .option(
      '--discard-rejected',
      'with --quarantined: delete rejected lines that are still invalid (after printing them)',
    )
    .option(
      '--reset-breaker <tool>',
      "close a tool's circuit breaker now (after fixing its cause); its parked tasks return",
    )
    .action(async (id: string | undefined, opts: RetryOptions, cmd: Command) => {
      if (!id && !opts.failed && !opts.quarantined && !opts.resetBreaker) {
        throw new HeadlessError(
          'name a task id, or use --failed, --quarantined or --reset-breaker TOOL',
          ExitCode.usage,
        );
      }
      const ctx = await openContext(cmd);
      const ledger = new Ledger(ctx.paths.ledger);
      if (opts.resetBreaker) await resetBreaker(ctx, ledger, opts.resetBreaker);
      const ids: { id: string; from: 'failed' | 'quarantine' }[] = [];
      if (id) {
        const found = await ctx.store.get(id);
        if (!found) throw new HeadlessError(`no task ${id} in ${ctx.paths.tasksDir}`, ExitCode.usage);
        if (found.state !== 'failed' && found.state !== 'quarantine') {
          throw new HeadlessError(
            `task ${id} is ${found.state}; only failed or quarantined tasks can be retried`,
            ExitCode.failure,
          );
        }
        ids.push({ id, from: found.state });
      }
      if (opts.failed) for (const t of await ctx.store.ids('failed')) ids.push({ id: t, from: 'failed' });
      if (opts.quarantined)
        for (const t of await ctx.store.ids('quarantine')) ids.push({ id: t, from: 'quarantine' });
      let n = 0;
      for (const t of ids) {
        try {
          await ctx.store.schedule(t.id, t.from, new Date(), 'retried by the user', (r) => ({
            ...r,
            attempts: 0,
            crashes: 0,
          }));
          await ledger.append({
            event: 'task.requeued',
            task: t.id,
            reason: `retried by the user (was ${t.from})`,
          });
          n++;
        } catch (err) {
          if (!(err instanceof MissingTaskError)) throw err;
        }
      }
      if (id || opts.failed || opts.quarantined) {
        const lines = opts.quarantined ? await retryLines(ctx, opts.discardRejected === true) : undefined;
        process.stdout.write(
          `${n} task(s) back in the queue${lines ? `, ${lines.requeued} rejected line(s) resubmitted${lines.discarded ? `, ${lines.discarded} discarded` : ''}` : ''}\n`,
        );
        for (const s of lines?.still ?? []) process.stderr.write(`${s}\n`);
        if (lines?.still.length && !opts.discardRejected) process.exitCode = ExitCode.usage;
      }
    });
}

/**
 * A running worker holds the breakers in memory: it gets a request file. Without one, the saved
 * state is edited directly so the next worker starts with the breaker closed.
 */
async function resetBreaker(ctx: CliContext, ledger: Ledger, tool: string): Promise<void> {
  if (!Object.hasOwn(ctx.config.tools.tools, tool)) {
    throw new HeadlessError(
      `unknown tool "${tool}": configured tools are ${Object.keys(ctx.config.tools.tools).sort().join(', ')}`,
      ExitCode.usage,
    );
  }
  const hb = await readHeartbeat(ctx.paths.runDir);
  const workerAlive =
    hb !== undefined &&
    hb.state !== 'stopped' &&
    lockHolderAlive({ pid: hb.pid, ...(hb.startTime ? { startTime: hb.startTime } : {}) });
  if (workerAlive) {
    await fs.mkdir(breakerResetDir(ctx.paths.runDir), { recursive: true });
    await fs.writeFile(path.join(breakerResetDir(ctx.paths.runDir), tool), new Date().toISOString());
    process.stdout.write(`asked the worker (pid ${hb.pid}) to close the breaker of ${tool}\n`);
    return;
  }
  const file = path.join(ctx.paths.runDir, 'breakers.json');
  let snapshot: BreakersSnapshot = {};
  try {
    snapshot = JSON.parse(await fs.readFile(file, 'utf8')) as BreakersSnapshot;
  } catch {
    // no saved state: nothing is open
  }
  delete snapshot[tool];
  await fs.mkdir(ctx.paths.runDir, { recursive: true });
  await writeFileAtomic(file, JSON.stringify(snapshot, null, 1));
  await ledger.append({ event: 'breaker.reset', tool, reason: 'reset by the user (no worker running)' });
  process.stdout.write(`closed the breaker of ${tool}; the next worker starts with it closed\n`);
}

/** Rejected lines are validated again (the config may have been fixed) and valid ones go back to the inbox. */
async function retryLines(
  ctx: CliContext,
  discard: boolean,
): Promise<{ requeued: number; discarded: number; still: string[] }> {
  const validation = validationContext(ctx.paths.root, ctx.config.tools, ctx.config.policies);
  const good: string[] = [];
  const still: string[] = [];
  const goodKeys: string[] = [];
  const badKeys: string[] = [];
  for (const r of await ctx.store.listRejected()) {
    const v = r.raw ? validateTaskLine(r.raw, validation) : { ok: false as const, reason: r.reason };
    if (v.ok && !(await ctx.store.get(v.spec.id))) {
      good.push(r.raw);
      goodKeys.push(r.key);
    } else {
      still.push(
        `${r.file}:${r.line}: ${discard ? 'discarded' : 'still rejected'}: ${v.ok ? `task ${v.spec.id} already exists` : v.reason}`,
      );
      badKeys.push(r.key);
    }
  }
  if (good.length) {
    await fs.mkdir(ctx.paths.inbox, { recursive: true });
    await writeFileAtomic(path.join(ctx.paths.inbox, `retry-${Date.now()}.jsonl`), `${good.join('\n')}\n`);
    for (const k of goodKeys) await ctx.store.removeRejected(k);
  }
  if (discard) for (const k of badKeys) await ctx.store.removeRejected(k);
  return { requeued: good.length, discarded: discard ? badKeys.length : 0, still };
}
