import type { Command } from 'commander';
import type { BreakerView } from '@headless/core/policy/tool-breakers';
import { heartbeatFile, type WorkerHeartbeat } from '@headless/core/run-state/heartbeat';
import { readClaimGate } from '@headless/queue-worker/claim-gate';
import { holderAlive } from '@headless/core/run-state/pid-lock';
import { readStateFile, stateFile, type SupervisorState } from '@headless/supervisor/state-file';
import { readLoopsFile, type LoopsFile } from '@headless/orchestrator/loops-file';
import { isAlive } from '@headless/core/process/alive';
import type { Counts } from '@headless/core/queue/store';
import { TASK_STATES } from '@headless/core/task/record';
import { humanBytes, worktreeUsage } from '@headless/core/git/worktree-clean';
import { readConfigState } from '@headless/queue-worker/config-state';
import { openContextTolerant, printJson, table, ago, type CliContext } from '../context.js';
import { taskFilterFromOptions, type TaskFilterOptions } from '../task-filter-options.js';
import { breakerViews, outputWidth } from '../task-data.js';
import { renderTaskTable, selectTasks, type TaskFilter } from '../views/task-table.js';
import { summarizeTasks, type TaskSummary } from '../views/task-summary.js';

/** Above this many records the task table is left out (status reads records, never the ledger). */
const TABLE_MAX_RECORDS = 5000;
import { toolParksFile, parkHolds, type ToolParks } from '@headless/core/run-state/tool-parks';
import { spendFile, localDay, type SpendSummary } from '@headless/core/run-state/spend-file';
import { describeSpend, usd } from '@headless/core/policy/budget';
import { formatLocal } from '@headless/core/policy/park';

export interface StatusReport {
  root: string;
  counts: Counts;
  running: WorkerHeartbeat['running'];
  worker: {
    pid: number;
    alive: boolean;
    state: string;
    lastHeartbeatAt: string;
    healthy: boolean;
    supervised: boolean;
    /** Why claiming is paused, while it is (a failing store change, low disk, failing writes). */
    paused?: string;
  } | null;
  supervisor: SupervisorState | null;
  breakers: Record<string, BreakerView>;
  loops: LoopsFile['loops'] | null;
  scheduled: { id: string; notBefore: string; reason?: string }[];
  /** The task table's rows (queued, running, waiting, and what ended in the window). */
  tasks: TaskSummary[];
  worktrees: { count: number; bytes: number };
  /** A changed config/ file the worker refused (it runs on the last good config meanwhile). */
  config: { refused?: string };
  /** Tools parked now: a usage/rate limit (until its reset), a failed login (until a reset), a budget. */
  parks: ToolParks;
  /** Spend today and this month (from the worker's count), with the caps of `policies.budget`. */
  spend: {
    todayUsd: number;
    monthUsd: number;
    byToolToday: Record<string, number>;
    dailyUsd: number | null;
    monthlyUsd: number | null;
  };
}

export function register(program: Command): void {
  program
    .command('status')
    .description(
      'queue counts, the task table, running tasks, breakers, worker health and the supervisor tree',
    )
    .option('--json', 'print one JSON object')
    .option('--state <states>', 'table: only these states, comma-separated (failed, running, blocked, ...)')
    .option('--tool <tools>', 'table: only these tools, comma-separated')
    .option('--since <duration>', 'table: only tasks changed within this long, e.g. 12h')
    .option('--all', 'table: every task, however old')
    .action(async (opts: { json?: boolean } & TaskFilterOptions, cmd: Command) => {
      const report = await collectStatus(cmd, taskFilterFromOptions(opts));
      if (opts.json) return printJson(report);
      process.stdout.write(`${renderStatus(report)}\n`);
    });
}

/** Reads only small state files and folder listings: status stays fast whatever the ledger's size. */
async function collectStatus(cmd: Command, filter: TaskFilter = {}): Promise<StatusReport> {
  const ctx = await openContextTolerant(cmd);
  const { runDir } = ctx.paths;
  const [counts, hb, sup, breakers, loops] = await Promise.all([
    ctx.store.counts(),
    heartbeatFile(ctx.paths.workerHeartbeat)
      .read()
      .catch(() => undefined),
    readStateFile(stateFile(runDir)),
    breakerViews(ctx),
    readLoopsFile(ctx.paths).catch(() => undefined),
  ]);
  const parksNow = await toolParksFile(ctx.paths.toolParks).readOrDefault({});
  const parks: ToolParks = Object.fromEntries(
    Object.entries(parksNow).filter(([, p]) => parkHolds(p, Date.now())),
  );
  const spent: SpendSummary | undefined = await spendFile(ctx.paths.spend)
    .read()
    .catch(() => undefined);
  const today = spent?.day === localDay(new Date());
  const sameMonth = spent?.day.slice(0, 7) === localDay(new Date()).slice(0, 7);
  const staleMs = ctx.config.policies.heartbeat.staleAfterSec * 1000;
  const gate = await readClaimGate(runDir).catch(() => undefined);
  const workerAlive = hb
    ? holderAlive({ pid: hb.pid, ...(hb.startTime ? { startTime: hb.startTime } : {}) }) &&
      hb.state !== 'stopped'
    : false;
  const queued = counts.queued <= 500 ? await ctx.store.list('queued') : [];
  const scheduled = queued
    .filter((r) => r.notBefore && Date.parse(r.notBefore) > Date.now())
    .map((r) => ({ id: r.id, notBefore: r.notBefore as string, ...(r.reason ? { reason: r.reason } : {}) }));
  const total = TASK_STATES.reduce((n, st) => n + counts[st], 0);
  const tasks = total <= TABLE_MAX_RECORDS ? await taskRows(ctx, filter) : [];
  const cfg = await readConfigState(runDir);
  return {
    root: ctx.paths.root,
    counts,
    tasks,
    worktrees: await worktreeUsage(ctx.paths.root),
    config: configView(ctx.configError, workerAlive && cfg?.pid === hb?.pid ? cfg?.refused : undefined),
    running: workerAlive && hb ? hb.running : [],
    worker: hb
      ? {
          pid: hb.pid,
          alive: workerAlive,
          state: workerAlive ? hb.state : 'not running',
          lastHeartbeatAt: hb.at,
          healthy: workerAlive && Date.now() - Date.parse(hb.at) < staleMs,
          supervised: hb.supervised,
          ...(workerAlive && (hb.paused || gate?.paused)
            ? { paused: [hb.paused, ...(gate?.paused ? gate.reasons : [])].filter(Boolean).join('; ') }
            : {}),
        }
      : null,
    supervisor: sup && isAlive(sup.pid) ? sup : null,
    breakers,
    loops: loops && isAlive(loops.pid) ? loops.loops : (loops?.loops ?? null),
    scheduled,
    parks,
    spend: {
      todayUsd: today ? (spent?.todayUsd ?? 0) : 0,
      monthUsd: sameMonth ? (spent?.monthUsd ?? 0) : 0,
      byToolToday: today ? (spent?.byToolToday ?? {}) : {},
      dailyUsd: ctx.config.policies.budget.dailyUsd,
      monthlyUsd: ctx.config.policies.budget.monthlyUsd,
    },
  };
}

/** The config problem to show: the worker's refusal, else the one this command met reading config/. */
function configView(cliError: string | undefined, workerRefused: string | undefined): StatusReport['config'] {
  const refused = workerRefused ?? cliError;
  return refused ? { refused } : {};
}

async function taskRows(ctx: CliContext, filter: TaskFilter): Promise<TaskSummary[]> {
  const lists = await Promise.all(TASK_STATES.map((st) => ctx.store.list(st)));
  const tasks = summarizeTasks(lists.flat(), []);
  return selectTasks(tasks, filter, Date.now());
}

/** `codex  parked until 19:05 (usage limit: ...)`, `claude  needs login (...)`. */
export function parkLines(parks: ToolParks, now: Date): string[] {
  return Object.entries(parks).map(([tool, p]) =>
    p.kind === 'login'
      ? `${tool}  needs login (${p.reason.replace(/^needs login: /, '')}); then: headless retry --reset-breaker ${tool}`
      : `${tool}  parked until ${p.until ? formatLocal(new Date(p.until), now) : '?'} (${p.reason})`,
  );
}

/** Spend today (by tool) and this month against the caps; none when nothing is spent or capped. */
function spendLine(sp: StatusReport['spend']): string | undefined {
  if (!(sp.todayUsd > 0 || sp.dailyUsd !== null || sp.monthlyUsd !== null)) return undefined;
  const byTool = Object.entries(sp.byToolToday)
    .map(([t, v]) => `${t} ${usd(v)}`)
    .join(', ');
  const month = sp.monthlyUsd === null ? '' : `; this month ${usd(sp.monthUsd)} of ${usd(sp.monthlyUsd)}`;
  return `${describeSpend(sp.todayUsd, { dailyUsd: sp.dailyUsd, monthlyUsd: sp.monthlyUsd })}${byTool ? ` (${byTool})` : ''}${month}`;
}

export function renderStatus(r: StatusReport): string {
  const out: string[] = [`root: ${r.root}`];
  const c = r.counts;
  out.push(
    `tasks: ${c.queued} queued, ${c.processing} processing, ${c.done} done, ${c.failed} failed, ${c.quarantine} quarantine`,
  );
  if (r.worktrees.count) out.push(`worktrees: ${r.worktrees.count} (${humanBytes(r.worktrees.bytes)})`);
  if (r.config.refused) {
    out.push(
      `config: refused a change (the worker keeps its last good config); fix the file: ${r.config.refused}`,
    );
  }
  out.push('', renderTaskTable(r.tasks, { now: Date.now(), width: outputWidth() }));
  if (r.supervisor) {
    const s = r.supervisor;
    out.push('', `supervisor pid ${s.pid}, up ${ago(s.startedAt).replace(' ago', '')} (${s.phase})`);
    out.push(
      table(
        ['child', 'pid', 'state', 'up', 'restarts', 'heartbeat', 'note'],
        Object.entries(s.children).map(([name, ch]) => [
          name,
          String(ch.pid ?? '-'),
          ch.state,
          ch.startedAt ? ago(ch.startedAt).replace(' ago', '') : '-',
          String(ch.restarts),
          ago(ch.lastHeartbeatAt ?? undefined),
          ch.reason ?? (ch.nextRestartAt ? `restart ${ago(ch.nextRestartAt)}` : ''),
        ]),
      ),
    );
  } else {
    out.push('', 'supervisor: not running');
  }
  if (r.worker) {
    out.push(
      `worker: pid ${r.worker.pid} ${r.worker.state}${r.worker.alive ? `, heartbeat ${ago(r.worker.lastHeartbeatAt)}${r.worker.healthy ? '' : ' (STALE)'}` : ''}`,
    );
    if (r.worker.paused) out.push(`  claiming paused: ${r.worker.paused}`);
  } else {
    out.push('worker: never started on this root');
  }
  if (r.running.length) {
    out.push(
      '',
      table(
        ['running', 'tool', 'attempt', 'pid', 'since'],
        r.running.map((t) => [t.id, t.tool, String(t.attempt), String(t.pid ?? '-'), ago(t.startedAt)]),
      ),
    );
  }
  if (r.scheduled.length) {
    out.push(
      '',
      table(
        ['waiting', 'not before', 'why'],
        r.scheduled.slice(0, 20).map((t) => [t.id, ago(t.notBefore), (t.reason ?? '').slice(0, 80)]),
      ),
    );
  }
  const parked = parkLines(r.parks, new Date());
  if (parked.length) out.push('', 'parked tools:', ...parked.map((l) => `  ${l}`));
  const spend = spendLine(r.spend);
  if (spend) out.push('', spend);
  const br = Object.entries(r.breakers);
  if (br.length) {
    out.push(
      '',
      table(
        ['tool', 'breaker', 'recent failures', 'open until', 'last reason'],
        br.map(([t, v]) => [
          t,
          v.state,
          String(v.recentFailures),
          v.openUntil ?? '-',
          (v.lastReason ?? '').slice(0, 60),
        ]),
      ),
    );
  }
  if (r.loops && Object.keys(r.loops).length) {
    out.push(
      '',
      table(
        ['loop', 'enabled', 'last run', 'result', 'next', 'runs', 'failures'],
        Object.entries(r.loops).map(([n, l]) => [
          n,
          l.enabled ? 'yes' : 'no',
          ago(l.lastRunAt ?? undefined),
          l.lastResult ?? '-',
          ago(l.nextRunAt ?? undefined),
          String(l.runs),
          String(l.failures),
        ]),
      ),
    );
  }
  return out.join('\n');
}
