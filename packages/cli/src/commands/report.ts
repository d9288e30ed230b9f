import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { createGitRunner } from '@headless/core/git/git-run';
import { listWorktrees } from '@headless/core/git/worktree-clean';
import { openContext, printJson, type CliContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { breakerViews, loadTaskSummaries, outputWidth } from '../task-data.js';
import type { AttentionSources } from '../views/attention.js';
import { parkHolds, toolParksFile } from '@headless/core/run-state/tool-parks';
import { buildReport, renderReportMarkdown, renderReportText } from '../views/report-view.js';
import type { TaskSummary } from '../views/task-summary.js';

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'the morning report: every task that ran, totals per tool, and what needs attention (with the command for each)',
    )
    .option('--since <duration>', 'the window, e.g. 12h, 2d, 30m', '12h')
    .option('--json', 'print one JSON object: { tasks, totals, attention }')
    .option('--md', 'print Markdown')
    .action(async (opts: { since: string; json?: boolean; md?: boolean }, cmd: Command) => {
      if (opts.json && opts.md) throw new HeadlessError('choose one of --json and --md', ExitCode.usage);
      const sinceMs = parseDuration(opts.since, '--since');
      const ctx = await openContext(cmd);
      const now = Date.now();
      const { tasks, skipped } = await loadTaskSummaries(ctx);
      const report = buildReport(tasks, { sinceMs: now - sinceMs, now }, await attentionSources(ctx, tasks));
      if (opts.json) printJson(report);
      else if (opts.md) process.stdout.write(renderReportMarkdown(report));
      else process.stdout.write(`${renderReportText(report, outputWidth())}\n`);
      if (skipped.length) {
        process.stderr.write(
          `note: ${skipped.length} damaged ledger line(s) skipped (first at line ${skipped[0]?.line})\n`,
        );
      }
    });
}

/** Breakers that are not closed, and worktrees of ended tasks left with uncommitted files. */
async function attentionSources(ctx: CliContext, tasks: readonly TaskSummary[]): Promise<AttentionSources> {
  const ended = new Set(tasks.filter((t) => t.state === 'done' || t.state === 'failed').map((t) => t.id));
  const worktrees = await listWorktrees(createGitRunner(), ctx.paths.root);
  const parks = await toolParksFile(ctx.paths.toolParks).readOrDefault({});
  const holding = Object.entries(parks).filter(([, p]) => parkHolds(p, Date.now()));
  return {
    breakers: await breakerViews(ctx),
    // Limit parks end by themselves; budget parks end with their day or month (login parks are tasks' needs_login).
    parked: holding
      .filter(([, p]) => p.kind === 'limit' && p.until)
      .map(([tool, p]) => ({ tool, until: p.until as string, reason: p.reason })),
    budget: holding
      .filter(([, p]) => p.kind === 'budget')
      .map(([tool, p]) => ({
        why: `${tool}: ${p.reason}; its tasks wait until ${p.until ?? '?'}`,
        next: 'raise policies.budget (config/policies.json) or wait',
      })),
    dirtyWorktrees: worktrees
      .filter((w) => ended.has(w.id) && (w.dirtyFiles?.length ?? 0) > 0)
      .map((w) => ({ id: w.id, path: w.path, files: w.dirtyFiles ?? [] })),
  };
}
