import { describe, expect, it } from '@jest/globals';
import { attentionList } from './attention.js';
import { wrap } from './format.js';
import { buildReport, renderReportMarkdown, renderReportText } from './report-view.js';
import { renderShow, showJson } from './show-view.js';
import { renderTaskTable, selectTasks, shownState } from './task-table.js';
import { summarizeTasks } from './task-summary.js';
import { NOW, at, night, record } from './test-fixtures.js';

// What users see, locked in (pueue tests its `status` output the same way). A change here is a
// change to the CLI's face: update the expected text on purpose, never to make a test pass.
const expected_table100 = [
  'id             state    tool    repo/branch        att  time     cost',
  '-------------  -------  ------  -----------------  ---  -------  -----',
  'busy           running  codex   .                  1    5m       -',
  'next-up        waiting  codex   .                  0    10m old  -',
  '    after night-ok',
  'night-ok       done     claude  headless/night-ok  1    10m      $0.42',
  'night-exit3    failed   git     .                  1    60s      -',
  '    exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo, then',
  '    headless retry night-exit3',
  'night-suspect  suspect  claude  .                  1    10m      $0.05',
  '    claude reported success but 2 permission denials (Write, Bash): it may not have done the work;',
  '    allow the tools with --allowedTools in tools.claude.argv, then headless retry night-suspect',
  'night-blocked  blocked  claude  .                  1    10m      -',
  '    blocked on input: claude asked "Do you want to proceed? (y/n)"; make it non-interactive (a model',
  '    and an API key for aider; flags in tools.claude.argv)',
].join('\n');

const expected_table150 = [
  'id             state    tool    repo/branch  att  time  cost  reason',
  '-------------  -------  ------  -----------  ---  ----  ----  ------',
  'night-exit3    failed   git     .            1    60s   -     exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo,',
  '                                                              then headless retry night-exit3',
  'night-blocked  blocked  claude  .            1    10m   -     blocked on input: claude asked "Do you want to proceed? (y/n)"; make it non-interactive',
  '                                                              (a model and an API key for aider; flags in tools.claude.argv)',
].join('\n');

const expected_show = [
  'task:         night-ok',
  'state:        done',
  'tool:         claude',
  'repo:         .',
  'queued:       2026-12-01 03:00',
  'started:      2026-12-01 05:00',
  'ended:        2026-12-01 05:10',
  'duration:     10m',
  'attempts:     1',
  'outcome:      success',
  'usage:        12k in, 3.4k out, cost $0.42',
  'session:      sess-ok',
  'worktree:     /r/.tasks/worktrees/night-ok',
  'branch:       headless/night-ok',
  'base:         HEAD (1111111111111111111111111111111111111111)',
  'head:         2222222222222222222222222222222222222222',
  'diffstat:     2 files, +40 -3',
  '              A src/parser.ts (+30 -0)',
  '              M README.md (+10 -3)',
  'log:          /r/logs/task_night-ok.log',
  '',
  'final message:',
  '  Wrote src/parser.ts and its tests.',
  '',
  '#  started           took  exit  outcome  cost   reason',
  '-  ----------------  ----  ----  -------  -----  ------',
  '1  2026-12-01 05:00  10m   0     success  $0.42',
  '',
  'last 1 lines of the log:',
  '  2026-12-01T05:10:00.000Z [stdout] done',
].join('\n');

const expected_report = [
  'headless report 2026-11-30 20:00 → 2026-12-01 08:00 (UTC)',
  '',
  '5 tasks (1 done, 1 failed, 1 suspect, 1 blocked, 1 running), 5 attempts, 13k tokens in, 3.6k out, $0.47 (+3 tasks without a cost)',
  '  claude: 3 tasks, 3 attempts, 16k tokens, $0.47 (+1 task without a cost)',
  '  git: 1 task, 1 attempt, 0 tokens, cost -',
  '  codex: 1 task, 1 attempt, 0 tokens, cost -',
  '',
  'id             state    tool    repo/branch        took  cost   commits               diff',
  '-------------  -------  ------  -----------------  ----  -----  --------------------  ---------',
  'night-ok       done     claude  headless/night-ok  10m   $0.42  111111111..222222222  2f +40 -3',
  'night-exit3    failed   git     .                  60s   -',
  '    exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo, then',
  '    headless retry night-exit3',
  'night-suspect  suspect  claude  .                  10m   $0.05',
  '    claude reported success but 2 permission denials (Write, Bash): it may not have done the work;',
  '    allow the tools with --allowedTools in tools.claude.argv, then headless retry night-suspect',
  'night-blocked  blocked  claude  .                  10m   -',
  '    blocked on input: claude asked "Do you want to proceed? (y/n)"; make it non-interactive (a model',
  '    and an API key for aider; flags in tools.claude.argv)',
  'busy           running  codex   .                  -     -',
  '',
  'needs attention (3):',
  '  night-exit3 (failed): exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo, then headless retry night-exit3',
  '    → headless retry night-exit3',
  '  night-suspect (suspect): claude reported success but 2 permission denials (Write, Bash): it may not have done the work; allow the tools with --allowedTools in tools.claude.argv, then headless retry night-suspect',
  '    → headless show night-suspect',
  '  night-blocked (blocked_on_input): blocked on input: claude asked "Do you want to proceed? (y/n)"; make it non-interactive (a model and an API key for aider; flags in tools.claude.argv)',
  '    → headless retry night-blocked',
].join('\n');

const { records, ledger } = night();
const tasks = summarizeTasks(records, ledger);
const byId = (id: string) => tasks.find((t) => t.id === id)!;

describe('the status task table', () => {
  it('shows what is active and what ended in the last 24 h, reasons wrapped whole', () => {
    expect(renderTaskTable(selectTasks(tasks, {}, NOW), { now: NOW, width: 100 })).toBe(expected_table100);
  });

  it('puts reasons in a column when the terminal is wide, and filters by state', () => {
    expect(renderTaskTable(selectTasks(tasks, { states: ['failed'] }, NOW), { now: NOW, width: 150 })).toBe(
      expected_table150,
    );
  });

  it('filters by tool, window and shown state, and --all shows old tasks', () => {
    const ids = (f: Parameters<typeof selectTasks>[1]) => selectTasks(tasks, f, NOW).map((t) => t.id);
    expect(ids({ tools: ['git'] })).toEqual(['night-exit3']);
    expect(ids({ tools: ['git'], all: true })).toEqual(['night-exit3', 'old-done']);
    expect(ids({ sinceMs: 130 * 60_000 })).toEqual(['night-suspect', 'night-blocked', 'next-up', 'busy']);
    expect(ids({ states: ['blocked', 'suspect'] })).toEqual(['night-suspect', 'night-blocked']);
    expect(ids({ states: ['waiting'] })).toEqual(['next-up']);
  });

  it('says so when nothing matches', () => {
    expect(renderTaskTable([], { now: NOW, width: 80 })).toBe('no tasks to show (--all shows older ones)');
  });
});

describe('headless show', () => {
  it('prints the base SHA, the changes, the final message, the attempts and the log tail', () => {
    expect(
      renderShow(byId('night-ok'), {
        logTail: ['2026-12-01T05:10:00.000Z [stdout] done'],
        now: NOW,
        width: 100,
      }),
    ).toBe(expected_show);
  });

  it('--json has the summary, the shown state and the log tail', () => {
    const j = showJson(byId('night-blocked'), ['a', 'b'], NOW);
    expect(j).toMatchObject({
      id: 'night-blocked',
      state: 'failed',
      shownState: 'blocked',
      logTail: ['a', 'b'],
    });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe('headless report', () => {
  const report = buildReport(tasks, { sinceMs: NOW - 12 * 3600_000, now: NOW });

  it('names every task that ran in the window, with totals and the attention list', () => {
    expect(renderReportText(report, 100)).toBe(expected_report);
  });

  it('--json has tasks and exactly the three that need attention, each with its next command', () => {
    expect(report.tasks.map((t) => t.id)).toEqual([
      'night-ok',
      'night-exit3',
      'night-suspect',
      'night-blocked',
      'busy',
    ]);
    expect(report.attention).toEqual([
      {
        id: 'night-exit3',
        kind: 'failed',
        why: expect.stringMatching(/^exit code 3/) as unknown as string,
        next: 'headless retry night-exit3',
      },
      {
        id: 'night-suspect',
        kind: 'suspect',
        why: expect.stringMatching(/permission denials/) as unknown as string,
        next: 'headless show night-suspect',
      },
      {
        id: 'night-blocked',
        kind: 'blocked_on_input',
        why: expect.stringMatching(/^blocked on input/) as unknown as string,
        next: 'headless retry night-blocked',
      },
    ]);
    expect(report.tasks[0]).toMatchObject({
      commits: '111111111..222222222',
      diffstat: { files: 2, insertions: 40, deletions: 3 },
      costUsd: 0.42,
    });
    expect(report.totals).toMatchObject({
      tasks: 5,
      attempts: 5,
      inputTokens: 12800,
      outputTokens: 3600,
      costUnknown: 3,
    });
    expect(report.totals.costUsd).toBeCloseTo(0.47);
    expect(report.totals.byTool['claude']).toMatchObject({ tasks: 3, costUnknown: 1 });
  });

  it('renders Markdown with escaped cells', () => {
    const md = renderReportMarkdown(report);
    expect(md.split('\n').slice(0, 1)).toEqual(['# headless report 2026-11-30 20:00 → 2026-12-01 08:00 UTC']);
    expect(md).toContain(
      '| night-ok | done | claude | headless/night-ok | 10m | $0.42 | `111111111..222222222` | 2f +40 -3 |  |',
    );
    expect(md).toContain(
      '- **night-exit3** (failed): exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo, then headless retry night-exit3 — `headless retry night-exit3`',
    );
  });
});

describe('attention', () => {
  it('lists dependency failures, missing tools, parked tools, open breakers and dirty worktrees; never a cancel', () => {
    const more = summarizeTasks(
      [
        record({ id: 'dep', tool: 'git', after: ['night-exit3'] }, 'failed', {
          attempts: 0,
          reason: 'dependency_failed: task "night-exit3" it waits for failed: exit code 3',
        }),
        record({ id: 'nf', tool: 'git' }, 'failed', { reason: 'git not found on PATH' }),
        record({ id: 'cx', tool: 'git' }, 'failed', { reason: 'cancelled by the user' }),
      ],
      [
        {
          v: 1,
          ts: at(100),
          event: 'task.failed',
          task: 'nf',
          outcome: 'not-found',
          reason: 'git not found on PATH',
        },
        { v: 1, ts: at(100), event: 'task.failed', task: 'cx', outcome: 'cancelled' },
      ],
    );
    expect(shownState(more[0]!, NOW)).toBe('dep-failed');
    expect(shownState(more[2]!, NOW)).toBe('cancelled');
    const list = attentionList(more, {
      parked: [{ tool: 'claude', until: '2026-12-01T09:00:00Z', reason: 'usage limit' }],
      breakers: {
        codex: { state: 'open', openUntil: '2026-12-01T08:10:00Z', lastReason: 'exit 1' },
        git: { state: 'closed' },
      },
      dirtyWorktrees: [{ id: 'w1', path: '/r/.tasks/worktrees/w1', files: ['a', 'b'] }],
    });
    expect(list.map((a) => `${a.id} ${a.kind} → ${a.next}`)).toEqual([
      'dep dependency_failed → headless retry --failed',
      'nf not_found → headless doctor',
      'claude tool_parked → headless status',
      'codex breaker_open → headless retry --reset-breaker codex',
      'w1 worktree_dirty → git -C "/r/.tasks/worktrees/w1" status',
    ]);
    expect(list[3]?.why).toBe('breaker open until 2026-12-01T08:10:00Z: exit 1');
  });
});

describe('wrap', () => {
  it('never cuts a word, however long', () => {
    const hint =
      'set tools.claude.executable to C:\\Users\\someone\\AppData\\Roaming\\npm\\node_modules\\claude\\cli.js then retry';
    const lines = wrap(hint, 20);
    expect(lines.join(' ')).toBe(hint);
    expect(lines).toContain('C:\\Users\\someone\\AppData\\Roaming\\npm\\node_modules\\claude\\cli.js');
  });
});
