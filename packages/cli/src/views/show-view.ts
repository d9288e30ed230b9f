import { money, shortDuration, shortTime, tokens, wrap, wrappedTable } from './format.js';
import { shownState } from './task-table.js';
import type { TaskSummary } from './task-summary.js';

/** What `headless show <id> --json` prints: the summary plus the last lines of the task's log. */
export interface ShowJson extends TaskSummary {
  shownState: string;
  logTail: string[];
}

export function showJson(t: TaskSummary, logTail: readonly string[], now: number): ShowJson {
  return { ...t, shownState: shownState(t, now), logTail: [...logTail] };
}

/** Everything about one task, for a person. Pure. */
export function renderShow(
  t: TaskSummary,
  opts: { logTail: readonly string[]; now: number; width: number },
): string {
  const out: string[] = [];
  const field = (name: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    const [first = '', ...rest] = wrap(value, opts.width - 14);
    out.push(`${`${name}:`.padEnd(13)} ${first}`);
    for (const r of rest) out.push(`${' '.repeat(14)}${r}`);
  };
  field('task', t.id);
  field('state', `${shownState(t, opts.now)}${shownState(t, opts.now) !== t.state ? ` (${t.state})` : ''}`);
  field('tool', t.tool);
  field('repo', t.repo);
  field('after', t.after.length ? t.after.join(', ') : undefined);
  field('queued', shortTime(t.enqueuedAt));
  field('started', t.startedAt ? shortTime(t.startedAt) : 'not yet');
  field('ended', t.endedAt ? shortTime(t.endedAt) : undefined);
  field('not before', t.notBefore);
  field('duration', t.durationMs !== undefined ? shortDuration(t.durationMs) : undefined);
  field('attempts', String(t.attempts));
  field('outcome', t.outcome);
  field('reason', t.reason);
  field('suspect', t.suspect);
  const u = t.usage;
  if (u.inputTokens !== undefined || u.outputTokens !== undefined || u.costUsd !== undefined) {
    field(
      'usage',
      `${tokens(u.inputTokens)} in, ${tokens(u.outputTokens)} out, cost ${money(u.costUsd, u.costEstimated)}`,
    );
  }
  field('session', t.sessionId);
  const w = t.worktree;
  if (w) {
    field('worktree', w.path);
    field('branch', w.branch);
    field('base', `${w.base} (${w.baseSha})`);
    field('head', w.headSha);
    if (w.diffstat) {
      field('diffstat', `${w.diffstat.files} files, +${w.diffstat.insertions} -${w.diffstat.deletions}`);
    }
    for (const f of w.changedFiles ?? []) {
      out.push(`${' '.repeat(14)}${f.status} ${f.path} (+${f.insertions ?? '?'} -${f.deletions ?? '?'})`);
    }
  }
  (t.verify ?? []).forEach((v, i) => {
    const verdict = v.passed
      ? 'passed'
      : v.error
        ? `could not run: ${v.error}`
        : `failed (${v.failed.join(', ')})`;
    const line = `round ${v.round} after attempt ${v.attempt}: ${verdict}`;
    if (i === 0) field('verify', line);
    else out.push(`${' '.repeat(14)}${line}`);
    const pad = ' '.repeat(16);
    for (const f of v.failures.slice(0, 5)) out.push(`${pad}${f}`);
    if (v.failures.length > 5) out.push(`${pad}… and ${v.failures.length - 5} more (see the logs)`);
    for (const l of v.logs) out.push(`${pad}log: ${l}`);
  });
  field('log', t.logPath);
  if (t.finalMessage) {
    out.push('', 'final message:');
    for (const l of t.finalMessage.split(/\r?\n/)) out.push(`  ${l}`);
  }
  if (t.attemptList.length) {
    out.push(
      '',
      wrappedTable(
        ['#', 'started', 'took', 'exit', 'outcome', 'cost', 'reason'],
        t.attemptList.map((a) => [
          String(a.attempt),
          shortTime(a.startedAt),
          shortDuration(a.durationMs),
          a.exitCode === undefined || a.exitCode === null ? '-' : String(a.exitCode),
          a.outcome ?? (a.endedAt ? '-' : 'running'),
          money(a.usage?.costUsd, a.usage?.costEstimated),
          a.reason ?? '',
        ]),
        opts.width,
      ),
    );
  }
  if (opts.logTail.length) {
    out.push('', `last ${opts.logTail.length} lines of the log:`);
    for (const l of opts.logTail) out.push(`  ${l}`);
  }
  return out.join('\n');
}
