import type { Command } from 'commander';
import { createGitRunner } from '@headless/core/git/git-run';
import {
  humanAge,
  humanBytes,
  listWorktrees,
  planClean,
  removeWorktree,
  type CleanTaskView,
} from '@headless/core/git/worktree-clean';
import { openContext, printJson } from '../context.js';
import { parseDuration } from '../duration.js';

interface CleanOpts {
  olderThan?: string;
  merged?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('clean')
    .description(
      'remove the worktrees and branches of finished tasks (never one with uncommitted changes unless --force)',
    )
    .option(
      '--older-than <duration>',
      'only tasks that ended longer ago than this (default: policies.worktrees.keepDays)',
    )
    .option('--merged', "only worktrees whose branch is merged into its repo's HEAD")
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--force', 'also remove worktrees with uncommitted changes')
    .option('--json', 'print one JSON object')
    .action(async (opts: CleanOpts, cmd: Command) => {
      const ctx = await openContext(cmd);
      const olderThanMs =
        opts.olderThan !== undefined
          ? parseDuration(opts.olderThan, '--older-than')
          : ctx.config.policies.worktrees.keepDays * 86_400_000;
      const git = createGitRunner();
      const entries = await listWorktrees(git, ctx.paths.root);
      const views = new Map<string, CleanTaskView>();
      for (const e of entries) {
        const got = await ctx.store.get(e.id);
        if (got) views.set(e.id, { state: got.state, endedAt: got.record.updatedAt });
      }
      const plan = planClean(entries, (id) => views.get(id), {
        olderThanMs,
        merged: opts.merged === true,
        force: opts.force === true,
        now: Date.now(),
      });
      const removed = [];
      const failed: { id: string; error: string }[] = [];
      for (const d of plan) {
        if (d.action !== 'remove' || opts.dryRun) continue;
        try {
          removed.push(await removeWorktree(git, d.entry, opts.force === true));
        } catch (err) {
          failed.push({ id: d.entry.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
      const kept = plan.flatMap((d) => (d.action === 'keep' ? [{ id: d.entry.id, why: d.why }] : []));
      const wouldRemove = plan.filter((d) => d.action === 'remove').map((d) => d.entry);
      if (failed.length) process.exitCode = 1;
      if (opts.json) {
        return printJson({
          dryRun: opts.dryRun === true,
          olderThanMs,
          removed: opts.dryRun
            ? wouldRemove.map((e) => ({ id: e.id, branch: e.branch, bytes: e.bytes }))
            : removed,
          kept,
          failed,
        });
      }
      const out: string[] = [];
      const verb = opts.dryRun ? 'would remove' : 'removed';
      for (const r of opts.dryRun ? wouldRemove : removed) {
        const merged =
          r.merged === false && r.headSha
            ? `, not merged: \`git branch ${r.branch} ${r.headSha}\` restores it`
            : '';
        const kept = 'branchKept' in r && r.branchKept ? `; branch kept: ${r.branchKept}` : '';
        out.push(`${verb} ${r.id}: worktree and branch ${r.branch} (${humanBytes(r.bytes)}${merged})${kept}`);
      }
      for (const k of kept) out.push(`kept ${k.id}: ${k.why}`);
      for (const f of failed) out.push(`could not remove ${f.id}: ${f.error}`);
      const freed = (opts.dryRun ? wouldRemove : removed).reduce((n, r) => n + r.bytes, 0);
      const count = opts.dryRun ? wouldRemove.length : removed.length;
      out.push(
        entries.length === 0
          ? 'no worktrees under .tasks/worktrees/'
          : `${opts.dryRun ? 'would free' : 'freed'} ${humanBytes(freed)} in ${count} worktree${count === 1 ? '' : 's'}; ${kept.length} kept (older than ${humanAge(olderThanMs)} only${opts.merged ? ', merged only' : ''})`,
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
