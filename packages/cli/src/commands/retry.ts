import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { Ledger } from '@headless/core/ledger/ledger';
import { MissingTaskError } from '@headless/core/queue/folder-store';
import { validateTaskLine, resolveAllowedRoots } from '@headless/core/task/validate';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { openContext, type CliContext } from '../context.js';

export function register(program: Command): void {
  program
    .command('retry')
    .description(
      'put failed or quarantined tasks back in the queue with fresh attempts (quarantined lines are validated again)',
    )
    .argument('[id]', 'task id')
    .option('--failed', 'every failed task')
    .option('--quarantined', 'every quarantined task and rejected input line')
    .action(
      async (id: string | undefined, opts: { failed?: boolean; quarantined?: boolean }, cmd: Command) => {
        if (!id && !opts.failed && !opts.quarantined)
          throw new HeadlessError('name a task id, or use --failed or --quarantined', ExitCode.usage);
        const ctx = await openContext(cmd);
        const ledger = new Ledger(ctx.paths.ledger);
        const ids: { id: string; from: 'failed' | 'quarantine' }[] = [];
        if (id) {
          const found = await ctx.store.get(id);
          if (!found) throw new HeadlessError(`no task ${id} in ${ctx.paths.tasksDir}`, ExitCode.usage);
          if (found.state !== 'failed' && found.state !== 'quarantine')
            throw new HeadlessError(
              `task ${id} is ${found.state}; only failed or quarantined tasks can be retried`,
              ExitCode.failure,
            );
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
        const lines = opts.quarantined ? await retryLines(ctx) : { requeued: 0, still: [] as string[] };
        process.stdout.write(
          `${n} task(s) back in the queue${opts.quarantined ? `, ${lines.requeued} rejected line(s) resubmitted` : ''}\n`,
        );
        for (const s of lines.still) process.stderr.write(`${s}\n`);
        if (lines.still.length) process.exitCode = ExitCode.usage;
      },
    );
}

/** Rejected lines are validated again (the config may have been fixed) and valid ones go back to the inbox. */
async function retryLines(ctx: CliContext): Promise<{ requeued: number; still: string[] }> {
  const validation = {
    root: ctx.paths.root,
    tools: ctx.config.tools.tools,
    allowedRoots: resolveAllowedRoots(ctx.paths.root, ctx.config.policies.worker.allowedRepoRoots),
    maxLineBytes: ctx.config.policies.worker.maxLineBytes,
  };
  const good: string[] = [];
  const still: string[] = [];
  const keys: string[] = [];
  for (const r of await ctx.store.listRejected()) {
    const v = r.raw ? validateTaskLine(r.raw, validation) : { ok: false as const, reason: r.reason };
    if (v.ok && !(await ctx.store.get(v.spec.id))) {
      good.push(r.raw);
      keys.push(r.key);
    } else {
      still.push(
        `${r.file}:${r.line}: still rejected: ${v.ok ? `task ${v.spec.id} already exists` : v.reason}`,
      );
    }
  }
  if (good.length) {
    await fs.mkdir(ctx.paths.inbox, { recursive: true });
    await writeFileAtomic(path.join(ctx.paths.inbox, `retry-${Date.now()}.jsonl`), `${good.join('\n')}\n`);
    for (const k of keys) await ctx.store.removeRejected(k);
  }
  return { requeued: good.length, still };
}
