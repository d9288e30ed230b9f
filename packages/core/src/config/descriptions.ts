/**
 * What each config key means, keyed by its path (`*` = any name in a map, `[]` = any list item).
 * They go into the generated JSON Schema (editors show them on hover) and into docs/config.md.
 * The schema test fails when a key has no description here, so a new key cannot go undocumented.
 */
export const toolsDescriptions: Readonly<Record<string, string>> = {
  $schema: 'Path of the JSON Schema for editors; ignored by headless.',
  envPass:
    'Environment variables every tool may see; everything else is withheld. A trailing `*` matches a prefix (`GIT_*`).',
  secretEnv:
    'Variables whose values are secrets (API keys): passed to the tools that may see them, never written to a log or the ledger.',
  tools: 'The tools tasks may name, by name (letters, digits, `.`, `_`, `-`).',
  'tools.*.description': 'Free text for people.',
  'tools.*.executable':
    'The program to run: a name looked up on PATH (PATHEXT on Windows) or an absolute path. `{node}` is the node that runs headless (the built-in `quality` tool).',
  'tools.*.argv':
    'The command line after the executable. Placeholders `{prompt}` `{promptFile}` `{repo}` `{model}` `{taskId}` `{headless}` (the CLI script of headless itself) `{root}` (the headless root) work inside an element; `{flags}` `{files}` `{args}` stand alone and splice in the task\'s lists. An inner array is an option group, dropped whole when one of its placeholders has no value (`["--model", "{model}"]`).',
  'tools.*.prompt': 'How the prompt reaches the tool.',
  'tools.*.prompt.via': 'As the `{prompt}` argument, on stdin (then closed), or in a file (`{promptFile}`).',
  'tools.*.prompt.maxArgChars':
    'Prompts longer than this go by `longVia` instead of the argument: long arguments break Windows `.cmd` shims (8,191 characters) and quoting.',
  'tools.*.prompt.longVia': 'How a prompt longer than `maxArgChars` is passed.',
  'tools.*.prompt.stdinArg':
    'What `{prompt}` becomes when the prompt goes by stdin (codex takes `-`); null drops the element.',
  'tools.*.model': 'Fills `{model}`; without one, option groups that use it are dropped.',
  'tools.*.env': 'Environment variables set for this tool (after the allow-list).',
  'tools.*.envPass': 'More variable names this tool may see, on top of the global `envPass`.',
  'tools.*.concurrency': 'How many tasks of this tool may run at once.',
  'tools.*.writesRepo':
    'Tasks of this tool change the repository: two of them never run in one repository at once.',
  'tools.*.timeoutSec':
    'Wall-clock limit of one attempt, in seconds; null takes `worker.defaultTimeoutSec` from policies.',
  'tools.*.idleTimeoutSec':
    'Ends an attempt that prints nothing for this many seconds (hung agents); null takes `worker.defaultIdleTimeoutSec`.',
  'tools.*.output':
    'How the output reads: which parser checks a success and extracts errors, tokens and cost.',
  'tools.*.exitCodes':
    "Exit codes with a known meaning (e.g. gemini's 41 = auth, permanent; 173 = HTTP 429, transient).",
  'tools.*.patterns':
    'Output patterns that classify a failure, checked in order; the first match decides. Each is a JavaScript regular expression, matched case-insensitively against stdout and stderr.',
  'tools.*.patterns[].pattern': 'The regular expression (JSON-escaped: `\\\\d` for `\\d`).',
  'tools.*.patterns[].class':
    '`transient` failures are retried with backoff; `permanent` ones are not; `auth` (not logged in, bad key) is not retried and needs a person.',
  'tools.*.patterns[].reason': 'A short reason recorded in the ledger, e.g. `rate limit`.',
  'tools.*.patterns[].source':
    'Where the text comes from (doc, source file), so the table can be checked against the tool.',
  'tools.*.inputPatterns':
    'Regular expressions (case-insensitive) for output lines that mean the tool waits for a person (a yes/no question, a login); the attempt then ends at once as "blocked on input" (permanent) instead of hanging until the idle timeout.',
  'tools.*.patterns[].limit':
    '`usage` (a quota with a reset time) or `rate` (too many requests): the whole tool is parked until the reset, and the attempt does not count against the task.',
  'tools.*.builtinInputPatterns':
    "Also match the built-in prompts (`[y/N]`, `(y/n)`, `Press Enter`, `Password:`, `Username for`, `Do you want to`, the AI CLIs' own questions). A prompt without a newline is matched after about 1 s without output.",
  'tools.*.onSuspect':
    "An exit-0 run whose own result says it did not do the work (claude's permission denials, an empty result): `done` (with a warning), `failed`, or `attention` (held for a person).",
  'tools.*.resume':
    'A retry after a timeout, stall, stop, crash or usage limit continues the same agent session (claude `--resume`, codex `exec resume`, gemini `--resume`).',
  'tools.*.budget': 'Spend caps for this tool alone (local calendar day and month).',
  'tools.*.budget.dailyUsd': 'US dollars this tool may spend per local calendar day; null = no cap.',
  'tools.*.budget.monthlyUsd': 'US dollars this tool may spend per local calendar month; null = no cap.',
  'tools.*.pricing':
    'Token prices for a tool that reports tokens but no cost (codex); costs computed from them are marked estimated.',
  'tools.*.pricing.inputUsdPerMTok': 'US dollars per million input tokens (not cached).',
  'tools.*.pricing.cachedInputUsdPerMTok':
    'US dollars per million cached input tokens (default: the input price).',
  'tools.*.pricing.outputUsdPerMTok': 'US dollars per million output tokens (reasoning tokens included).',
  'tools.*.pricing.source': 'Where the prices come from and when: check them, prices change.',
  'tools.*.unknownFailure': 'Class of a failure that no exit code or pattern explains.',
  loops: "Recurring jobs (the blueprint's GitStatusLoop), by name.",
  'loops.*.description': 'Free text for people.',
  'loops.*.enabled': 'A disabled loop is kept in the file but never runs.',
  'loops.*.intervalSec': 'Seconds between the starts of two runs.',
  'loops.*.jitter':
    'Each run starts up to this fraction of the interval early or late, so loops do not align.',
  'loops.*.repos': 'Repositories the loop visits, relative to the root.',
  'loops.*.steps': 'Steps run one after another in each repository; a failing step ends that run.',
  'loops.*.steps[].tool': 'A tool from `tools`.',
  'loops.*.steps[].args': "Fills `{args}` of the tool's command line.",
  'loops.*.steps[].prompt': 'The prompt, for AI tools.',
  'loops.*.steps[].timeoutSec': "Overrides the tool's timeout for this step.",
  'tools.*.worktree':
    "Tasks of this tool run in a worktree of their own (`.tasks/worktrees/<id>`, branch `headless/<id>`) when the repo is a git repository; a task's `worktree` field overrides it.",
  'tools.*.commit':
    "After an attempt in a worktree that changed files, commit them on the task's branch (message: the id and the prompt's first line).",
  'tools.*.verify':
    "After a successful run of this tool, its task is done only when the repo's quality gate (`headless quality`) passes in the task's worktree: `true` (every step), a list of step names, or `false`. A failing gate resumes the agent's session with the failures, up to `verify.maxRounds` gate runs (docs/quality.md). A task's `verify` overrides it.",
};

export const policiesDescriptions: Readonly<Record<string, string>> = {
  $schema: 'Path of the JSON Schema for editors; ignored by headless.',
  worker: 'The queue worker.',
  'worker.concurrency': 'Tasks running at once, across all tools.',
  'worker.defaultTimeoutSec': 'Wall-clock limit of one attempt when the tool sets none.',
  'worker.defaultIdleTimeoutSec':
    'Silence (no output) after which an attempt is ended as stalled, when the tool sets none.',
  'worker.rescanIntervalMs':
    'How often the inbox is listed; file-watch events only make the next scan come sooner.',
  'worker.settleMs':
    'Complete lines of an inbox file are queued as soon as they are there; the file is closed (its last line read even without a newline, the file moved to .tasks/ingested/) once it has not changed for this long. A writer that keeps its file open and adds lines loses none.',
  'worker.allowedRepoRoots': 'Task repositories must lie inside one of these folders (relative to the root).',
  'worker.maxLineBytes': 'A longer task line is rejected.',
  'worker.taskLogMaxBytes':
    "Cap of one task's output log: the head and the tail are kept, with a marker between.",
  'worker.spawner':
    '`auto`: on Linux and macOS the worker starts tools through a small long-lived child process (the spawner), so its own thread never forks; the spawner exits after 2 s without a run; while none is ready (the worker has just started, or it exited) a run is started by the worker itself and a new spawner is started for the next ones. `off`: the worker starts tools itself (always so on Windows).',
  'worker.timeoutCountsSleep':
    "Whether time the machine slept (a laptop suspend, a paused VM) counts against an attempt's wall-clock and idle timeouts. By default it does not: an agent running across a sleep keeps its whole budget.",
  retry: 'Retries of transient failures.',
  'retry.maxAttempts': 'Attempts per task, the first included.',
  'retry.baseDelayMs': 'First backoff delay; it doubles per attempt.',
  'retry.maxDelayMs': 'Cap of one backoff delay.',
  'retry.jitter': 'How delays are randomised so retries do not arrive together.',
  'retry.maxResetWaitSec': 'A reset time printed by a tool (usage limits) is honoured up to this far ahead.',
  breaker:
    'Circuit breaker per tool: a tool that keeps failing is paused instead of burning through the queue.',
  'breaker.failures': 'Tool failures (not bad tasks) that open the breaker...',
  'breaker.windowSec': '...within this many seconds.',
  'breaker.openSec': 'How long the breaker stays open before one trial task is let through (half-open).',
  recovery: 'Taking back tasks whose worker died.',
  'recovery.staleAfterSec':
    'A task in processing whose owner has not sent a heartbeat for this long is taken back, even if its pid looks alive.',
  'recovery.maxCrashes': 'A task that was running when its worker died this many times is failed as poison.',
  gitLock: 'Repair of stale `.git/index.lock` files.',
  'gitLock.minAgeSec': 'A lock younger than this is never removed.',
  heartbeat: 'Liveness of the worker, watched by the supervisor.',
  'heartbeat.intervalSec': 'How often the worker writes its heartbeat.',
  'heartbeat.staleAfterSec':
    'A heartbeat older than this means the worker hangs: the supervisor restarts it.',
  logs: 'The component logs under `logs/` (JSON lines).',
  'logs.maxSize': 'A log file is rotated at this size (`k`, `m`, `g` suffix).',
  'logs.maxFiles': 'Rotated files kept per log.',
  'logs.retentionDays': 'Rotated files older than this are deleted.',
  'logs.level': 'Lowest level written.',
  'logs.ledgerMaxMb':
    'The ledger (`logs/ledger.jsonl`) moves to the next numbered segment (`ledger.1.jsonl`, `ledger.2.jsonl`, ...) at this size; `headless ledger` reads every segment.',
  'logs.finishedRecords':
    'Finished task records (done, failed, cancelled) older than `retentionDays`: `delete` them, or `archive` them under `.tasks/archive/`. Queued, scheduled and running tasks are never pruned.',
  disk: 'The low-disk guard.',
  'disk.minFreeMb':
    'Below this much free space (MB) on the volume of the root the worker stops claiming tasks, says why in `headless status` and the ledger (`worker.paused`), and resumes by itself above it. 0 turns the guard off.',
  'disk.checkIntervalSec': 'How often free space is checked besides before each claim.',
  supervisor: 'Restarts of crashed children.',
  'supervisor.restartBaseMs': 'First restart delay; it doubles per crash.',
  'supervisor.restartMaxMs': 'Cap of the restart delay.',
  'supervisor.stableAfterSec': 'A child that stays up this long has its backoff reset.',
  'supervisor.stormRestarts': 'This many restarts...',
  'supervisor.stormWindowSec': '...within this many seconds is a restart storm (state `crash_looping`)...',
  'supervisor.stormDelaySec': '...after which the next restart waits this long.',
  shutdown: 'Stopping.',
  'shutdown.graceSec':
    'Time a child gets after SIGTERM (or the stop file) before its process tree is killed.',
  'shutdown.drainSec':
    '`headless stop --drain`: how long running attempts may take to finish (nothing new starts meanwhile) before the stop.',
  worktrees: 'Worktrees of tasks (`.tasks/worktrees/<id>`).',
  'worktrees.keepDays':
    '`headless clean` removes the worktrees (and branches) of tasks that ended longer ago than this; never one with uncommitted changes unless `--force`.',
  'worktrees.author':
    'Author and committer of the commits headless makes on task branches; null: the identity git is configured with (else `headless <headless@localhost>`).',
  'worktrees.author.name': 'Name of the commit author.',
  'worktrees.author.email': 'E-mail of the commit author.',
  verify: 'The verify loop of tasks with `verify` (docs/quality.md).',
  'verify.maxRounds':
    'Gate runs per task, each after a successful run of the agent; when the last one fails, the task is held for a person (`needs attention`, outcome `verify_failed`).',
  'verify.linesPerStep':
    'The first this many failure lines of each failed step go into the prompt that resumes the agent.',
  'verify.maxPromptChars': 'That prompt is cut to this many characters; the log paths always stay.',
  notify: 'Notifications of events that need a person; a failing notifier is logged and never fails a task.',
  'notify.events':
    'Which events notify: `task.failed`, `task.attention`, `batch.done` (every task of one inbox file has ended), `tool.parked`, `budget.reached`, `breaker.opened`.',
  'notify.command':
    'A program run once per event, without a shell, with the event as JSON on stdin; null: none.',
  'notify.command.argv': 'The program and its arguments.',
  'notify.command.timeoutSec': 'The program is ended (its whole tree) after this long.',
  'notify.webhook': 'An http(s) endpoint that gets each event as a JSON POST; null: none.',
  'notify.webhook.url': 'Where to POST.',
  'notify.webhook.headers': 'Extra request headers (e.g. an Authorization token).',
  'notify.webhook.timeoutMs': 'One request is given up after this long.',
  'notify.webhook.retries':
    'Retries of a failed request, with exponential backoff; the worker never waits for them.',
  'notify.desktop':
    'Show a desktop notification: a toast on Windows (PowerShell, no console window), `notify-send` on Linux when installed, `osascript` on macOS.',
  limits: 'Parking a tool that hit a usage or rate limit.',
  'limits.maxParkHours': 'A tool waits at most this long for a printed reset (weekly limits park for days).',
  'limits.jitterSec':
    'Up to this many seconds are added to a printed reset, so parked work does not start at once.',
  'limits.backoffBaseSec': 'Without a printed reset the tool parks this long, doubling per limit in a row...',
  'limits.backoffMaxSec': '...up to this.',
  budget: 'Spend caps across all AI tools (local calendar day and month).',
  'budget.dailyUsd': 'US dollars all tools together may spend per local calendar day; null = no cap.',
  'budget.monthlyUsd': 'US dollars all tools together may spend per local calendar month; null = no cap.',
};
