import { z } from 'zod';
import { VerifySetting } from '../task/schema.js';

/**
 * The shape of config/tools.json and config/policies.json (the blueprint's CliToolsConfig.psd1 and
 * HeadlessPolicies.psd1). Every object is strict: an unknown key is an error, not silently ignored.
 * Defaults live here and nowhere else; `headless init` writes them out.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
// A leading or trailing `*` matches a suffix or prefix: `*_TOKEN`, `GIT_*` (both are in the defaults).
const envName = z
  .string()
  .regex(
    /^\*?[A-Za-z_][A-Za-z0-9_]*\*?$/,
    'an environment variable name (a leading or trailing * matches any suffix or prefix)',
  );

/**
 * One argv element of a tool's command line. A string may hold placeholders:
 * `{prompt}` `{promptFile}` `{repo}` `{model}` `{taskId}` inline, and `{flags}` `{files}` `{args}`
 * as a whole element (spliced in, possibly empty). An array is an option group that is dropped
 * whole when any placeholder in it has no value (e.g. `["--model", "{model}"]` without a model).
 */
export const ArgvElement = z.union([z.string(), z.array(z.string()).min(1)]);
export type ArgvElement = z.infer<typeof ArgvElement>;

/**
 * `transient` is retried, `permanent` is not, `auth` (not logged in, bad key) is not either and
 * needs a person: the worker holds the task for attention instead of failing every queued one.
 */
export const FailureClass = z.enum(['transient', 'permanent', 'auth']);
export type FailureClass = z.infer<typeof FailureClass>;

/** A transient failure that is a limit of the account: `usage` (quota with a reset) or `rate` (429). */
export const LimitKind = z.enum(['usage', 'rate']);
export type LimitKind = z.infer<typeof LimitKind>;

/** What to do with an exit-0 run whose own result says it did not do the work (claude permission denials). */
export const SuspectAction = z.enum(['done', 'failed', 'attention']);
export type SuspectAction = z.infer<typeof SuspectAction>;

const usd = z.number().positive();

/** Spend caps over local calendar days and months; null = no cap. */
export const BudgetSpec = z.strictObject({
  dailyUsd: usd.nullable().default(null),
  monthlyUsd: usd.nullable().default(null),
});
export type BudgetSpec = z.infer<typeof BudgetSpec>;

/** Prices per million tokens, for tools that report tokens but no cost (codex). Costs from it are estimates. */
export const PricingSpec = z.strictObject({
  inputUsdPerMTok: z.number().nonnegative(),
  cachedInputUsdPerMTok: z.number().nonnegative().optional(),
  outputUsdPerMTok: z.number().nonnegative(),
  /** Where the prices come from and when (prices change; the user should check). */
  source: z.string().optional(),
});
export type PricingSpec = z.infer<typeof PricingSpec>;

/** How the tool's output reads: which parser checks a success exit and extracts errors. */
export const OutputFormat = z.enum([
  'text',
  'claude-json',
  'codex-jsonl',
  'gemini-json',
  'aider',
  'quality-json',
]);
export type OutputFormat = z.infer<typeof OutputFormat>;

export const PromptSpec = z.strictObject({
  /** How the prompt reaches the tool: as the `{prompt}` argument, on stdin (then closed), or in a file (`{promptFile}`). */
  via: z.enum(['argument', 'stdin', 'file']).default('argument'),
  /** Longer prompts switch to `longVia`: a huge argument breaks Windows .cmd shims (8,191 chars) and quoting. */
  maxArgChars: positiveInt.default(4000),
  longVia: z.enum(['stdin', 'file']).default('stdin'),
  /** What `{prompt}` becomes when the prompt goes by stdin (codex takes `-`); null drops the element. */
  stdinArg: z.string().nullable().default(null),
});
export type PromptSpec = z.infer<typeof PromptSpec>;

export const ClassifyRule = z.strictObject({
  /** A JavaScript regular expression (case-insensitive) matched against stdout+stderr. */
  pattern: z.string().min(1),
  class: FailureClass,
  /** A short reason recorded in the ledger, e.g. "rate limit". */
  reason: z.string().min(1),
  /** Where the text comes from (doc, source file), so the table can be checked against the tool. */
  source: z.string().optional(),
  /** The text reports an account limit: the tool (not just the task) waits for the reset. */
  limit: LimitKind.optional(),
});
export type ClassifyRule = z.infer<typeof ClassifyRule>;

export const ToolSpec = z.strictObject({
  description: z.string().optional(),
  /** The program to run: a name looked up on PATH, or an absolute path. */
  executable: z.string().min(1),
  /** The command line after the executable; see ArgvElement. */
  argv: z.array(ArgvElement).default(['{flags}', '{args}']),
  prompt: PromptSpec.prefault({}),
  /** Fills `{model}`; without one, option groups that use it are dropped. */
  model: z.string().nullable().default(null),
  /** Environment set for this tool (after the allow-list). */
  env: z.record(z.string(), z.string()).default({}),
  /** More variable names this tool may see, on top of the global allow-list. */
  envPass: z.array(envName).default([]),
  /** How many tasks of this tool may run at once. */
  concurrency: positiveInt.default(1),
  /** Tasks of this tool change the repository: two of them never run in one repo at once. */
  writesRepo: z.boolean().default(true),
  /** Per-attempt wall-clock limit; null takes policies.worker.defaultTimeoutSec. */
  timeoutSec: positiveInt.nullable().default(null),
  /** Ends an attempt that prints nothing for this long (hung agents); null takes the policy default. */
  idleTimeoutSec: positiveInt.nullable().default(null),
  /**
   * Output lines that mean the tool waits for a person (a yes/no question, a browser login): the
   * attempt ends at once as blocked on input instead of holding its slot until the idle timeout.
   */
  inputPatterns: z.array(z.string().min(1)).default([]),
  /** The built-in prompt patterns (`[y/N]`, `Password:`, ...) apply on top of `inputPatterns`. */
  builtinInputPatterns: z.boolean().default(true),
  output: OutputFormat.default('text'),
  /** An exit-0 run whose own result says it did not do the work: done (with a warning), failed, or held for a person. */
  onSuspect: SuspectAction.default('attention'),
  /** A retry after a timeout, stall, stop, crash or usage limit continues the tool's session (claude, codex, gemini). */
  resume: z.boolean().default(true),
  /** Spend caps for this tool alone (policies.budget caps all tools together). */
  budget: BudgetSpec.prefault({}),
  /** Token prices for a tool that reports no cost (codex): cost = tokens x price, recorded as estimated. */
  pricing: PricingSpec.nullable().default(null),
  /** Exit codes with a known meaning, e.g. gemini's 41 (auth) or 173 (HTTP 429). */
  exitCodes: z.record(z.string().regex(/^-?\d+$/, 'an exit code'), FailureClass).default({}),
  /** Output patterns, checked in order; the first match decides. */
  patterns: z.array(ClassifyRule).default([]),
  /** Class of a failure that no code or pattern explains. */
  unknownFailure: FailureClass.default('permanent'),
  /** Tasks of this tool run in a worktree of their own (when the repo is a git repository); a task's `worktree` overrides it. */
  worktree: z.boolean().default(false),
  /** After an attempt in a worktree that changed files, commit them on the task's branch. */
  commit: z.boolean().default(true),
  /** Tasks of this tool are done only when the repo's quality gate passes (true, step names, or false); a task's `verify` overrides it. */
  verify: VerifySetting.default(false),
});
export type ToolSpec = z.infer<typeof ToolSpec>;

export const LoopStep = z.strictObject({
  tool: z.string().min(1),
  args: z.array(z.string()).default([]),
  prompt: z.string().optional(),
  timeoutSec: positiveInt.optional(),
});
export type LoopStep = z.infer<typeof LoopStep>;

export const LoopSpec = z.strictObject({
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  intervalSec: positiveInt.default(300),
  /** Each run starts up to this fraction of the interval early or late, so loops do not align. */
  jitter: z.number().min(0).max(0.5).default(0.1),
  /** Repositories the loop visits, relative to the root. */
  repos: z.array(z.string().min(1)).min(1).default(['.']),
  /** Steps run one after another in each repo; a failing step ends that run. */
  steps: z.array(LoopStep).min(1),
});
export type LoopSpec = z.infer<typeof LoopSpec>;

export const ToolsConfig = z.strictObject({
  $schema: z.string().optional(),
  /** Environment variables every tool may see; everything else is withheld. `*` suffix = prefix. */
  envPass: z
    .array(envName)
    .default([
      'PATH',
      'Path',
      'PATHEXT',
      'HOME',
      'USERPROFILE',
      'APPDATA',
      'LOCALAPPDATA',
      'SystemRoot',
      'SYSTEMROOT',
      'ComSpec',
      'TEMP',
      'TMP',
      'TMPDIR',
      'LANG',
      'LC_*',
      'TZ',
      'USER',
      'USERNAME',
      'LOGNAME',
      'SHELL',
      'XDG_CONFIG_HOME',
      'XDG_DATA_HOME',
      'XDG_CACHE_HOME',
      'XDG_RUNTIME_DIR',
      'SSH_AUTH_SOCK',
      'GIT_*',
      'HTTP_PROXY',
      'HTTPS_PROXY',
      'NO_PROXY',
      'http_proxy',
      'https_proxy',
      'no_proxy',
    ]),
  /** Variables whose values are secrets (API keys): passed to tools, never written to any log or the ledger. */
  secretEnv: z
    .array(envName)
    .default([
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY',
      'CODEX_API_KEY',
      'GEMINI_API_KEY',
      'GOOGLE_API_KEY',
      '*_TOKEN',
      '*_SECRET',
    ]),
  tools: z.record(
    z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a tool name of letters, digits, . _ -'),
    ToolSpec,
  ),
  loops: z
    .record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a loop name of letters, digits, . _ -'), LoopSpec)
    .default({}),
});
export type ToolsConfig = z.infer<typeof ToolsConfig>;

export const JitterKind = z.enum(['none', 'full', 'half', 'decorrelated']);

/** The events a notifier can be told of (docs/operations.md, "Notifications"). */
export const NOTIFY_EVENTS = [
  'task.failed',
  'task.attention',
  'batch.done',
  'tool.parked',
  'budget.reached',
  'breaker.opened',
] as const;
export const NotifyEventName = z.enum(NOTIFY_EVENTS);
export type NotifyEventName = z.infer<typeof NotifyEventName>;

export const NotifyConfig = z.strictObject({
  /** Which events notify; the channels below all get the same ones. */
  events: z.array(NotifyEventName).default([...NOTIFY_EVENTS]),
  /** A program run once per event (argv, no shell) with the event as JSON on stdin. */
  command: z
    .strictObject({
      argv: z.array(z.string().min(1)).min(1),
      timeoutSec: positiveInt.default(30),
    })
    .nullable()
    .default(null),
  /** An HTTP(S) endpoint that gets each event as a JSON POST. */
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
      headers: z.record(z.string().min(1), z.string()).default({}),
      timeoutMs: positiveInt.default(5000),
      retries: nonNegativeInt.max(10).default(3),
    })
    .nullable()
    .default(null),
  /** A desktop notification (Windows toast, notify-send on Linux, osascript on macOS). */
  desktop: z.boolean().default(false),
});
export type NotifyConfig = z.infer<typeof NotifyConfig>;

export const PoliciesConfig = z.strictObject({
  $schema: z.string().optional(),
  worker: z
    .strictObject({
      /** Tasks running at once, across all tools. */
      concurrency: positiveInt.default(2),
      defaultTimeoutSec: positiveInt.default(1800),
      defaultIdleTimeoutSec: positiveInt.default(600),
      /** The folder listing is the truth; watch events only make the next scan come sooner. */
      rescanIntervalMs: positiveInt.default(2000),
      /**
       * Complete lines of an inbox file are read at once; the file is closed (a last line without a
       * newline read, the file moved out) once it has not changed for this long.
       */
      settleMs: nonNegativeInt.default(2000),
      /** Task repos must lie inside one of these folders (relative to the root). */
      allowedRepoRoots: z.array(z.string().min(1)).min(1).default(['.']),
      maxLineBytes: positiveInt.default(262144),
      /** Per-task output log cap: head and tail are kept, a marker stands between. */
      taskLogMaxBytes: positiveInt.default(10 * 1024 * 1024),
      /** Whether time the machine slept (laptop suspend) counts against an attempt's timeouts. */
      timeoutCountsSleep: z.boolean().default(false),
      /** `auto`: tools are started by a small spawner process on POSIX (the worker never forks); `off`: by the worker. */
      spawner: z.enum(['auto', 'off']).default('auto'),
    })
    .prefault({}),
  retry: z
    .strictObject({
      maxAttempts: positiveInt.default(3),
      baseDelayMs: positiveInt.default(5000),
      maxDelayMs: positiveInt.default(15 * 60 * 1000),
      jitter: JitterKind.default('decorrelated'),
      /** A reset time printed by the tool (usage limits) is honoured up to this far ahead. */
      maxResetWaitSec: positiveInt.default(6 * 3600),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      /** Failures (transient or permanent tool failures, not bad tasks) that open a tool's breaker... */
      failures: positiveInt.default(5),
      /** ...within this many seconds. */
      windowSec: positiveInt.default(300),
      /** How long it stays open before one trial task is let through (half-open). */
      openSec: positiveInt.default(600),
    })
    .prefault({}),
  recovery: z
    .strictObject({
      /** A processing task whose owner has not beaten for this long is taken back even if its pid looks alive. */
      staleAfterSec: positiveInt.default(120),
      /** A task that was running when its worker died this many times is failed as poison. */
      maxCrashes: positiveInt.default(3),
    })
    .prefault({}),
  gitLock: z.strictObject({ minAgeSec: nonNegativeInt.default(60) }).prefault({}),
  heartbeat: z
    .strictObject({ intervalSec: positiveInt.default(5), staleAfterSec: positiveInt.default(30) })
    .prefault({}),
  logs: z
    .strictObject({
      maxSize: z
        .string()
        .regex(/^\d+[kmg]?$/, 'a size such as 20m')
        .default('20m'),
      maxFiles: positiveInt.default(10),
      retentionDays: positiveInt.default(14),
      level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
      /** The ledger's live file moves to a numbered segment (ledger.N.jsonl) at this size. */
      ledgerMaxMb: positiveInt.default(64),
      /** What happens to finished task records past retentionDays: deleted, or moved to .tasks/archive/. */
      finishedRecords: z.enum(['delete', 'archive']).default('archive'),
    })
    .prefault({}),
  disk: z
    .strictObject({
      /** Below this much free space on the root's volume the worker stops claiming tasks. */
      minFreeMb: nonNegativeInt.default(500),
      /** How often free space is checked while nothing else asks (it is also checked before each claim). */
      checkIntervalSec: positiveInt.default(30),
    })
    .prefault({}),
  supervisor: z
    .strictObject({
      restartBaseMs: positiveInt.default(250),
      restartMaxMs: positiveInt.default(30000),
      /** A child that stays up this long has its backoff reset. */
      stableAfterSec: positiveInt.default(60),
      stormRestarts: positiveInt.default(5),
      stormWindowSec: positiveInt.default(60),
      stormDelaySec: positiveInt.default(300),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      graceSec: positiveInt.default(10),
      /** `headless stop --drain`: how long running attempts may take to finish before the stop. */
      drainSec: positiveInt.default(7200),
    })
    .prefault({}),
  worktrees: z
    .strictObject({
      /** `headless clean` removes worktrees of tasks that ended longer ago than this. */
      keepDays: nonNegativeInt.default(7),
      /** Author and committer of the commits headless makes on task branches; null: git's configured identity. */
      author: z
        .strictObject({ name: z.string().min(1), email: z.string().min(1) })
        .nullable()
        .default(null),
    })
    .prefault({}),
  verify: z
    .strictObject({
      /** Gate runs per task (each after a successful run of the agent); the last failing one holds the task for a person. */
      maxRounds: positiveInt.max(10).default(2),
      /** The first this many failure lines of each failed step go into the next round's prompt. */
      linesPerStep: positiveInt.max(500).default(20),
      /** The next round's prompt is cut to this many characters (the log paths always stay). */
      maxPromptChars: positiveInt.min(500).max(100000).default(6000),
    })
    .prefault({}),
  notify: NotifyConfig.prefault({}),
  limits: z
    .strictObject({
      /** A tool parked by a usage limit waits at most this long (weekly limits park for days). */
      maxParkHours: positiveInt.default(168),
      /** Added to a printed reset (0..jitterSec at random), so parked work does not all start at once. */
      jitterSec: nonNegativeInt.default(60),
      /** Without a printed reset: the first park, doubling per limit in a row... */
      backoffBaseSec: positiveInt.default(60),
      /** ...up to this. */
      backoffMaxSec: positiveInt.default(3600),
    })
    .prefault({}),
  /** Spend caps across all AI tools, over local calendar days and months. */
  budget: BudgetSpec.prefault({}),
});
export type PoliciesConfig = z.infer<typeof PoliciesConfig>;
