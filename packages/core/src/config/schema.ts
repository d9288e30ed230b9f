import * as z from 'zod/mini';
import '../zod-english.js';
import { VerifySetting } from '../task/schema.js';

/**
 * The shape of config/tools.json and config/policies.json (the blueprint's CliToolsConfig.psd1 and
 * HeadlessPolicies.psd1). Every object is strict: an unknown key is an error, not silently ignored.
 * Defaults live here and nowhere else; `headless init` writes them out.
 */

const positiveInt = z.number().check(z.int(), z.positive());
const nonNegativeInt = z.number().check(z.int(), z.nonnegative());
// A leading or trailing `*` matches a suffix or prefix: `*_TOKEN`, `GIT_*` (both are in the defaults).
const envName = z
  .string()
  .check(
    z.regex(
      /^\*?[A-Za-z_][A-Za-z0-9_]*\*?$/,
      'an environment variable name (a leading or trailing * matches any suffix or prefix)',
    ),
  );

/**
 * One argv element of a tool's command line. A string may hold placeholders:
 * `{prompt}` `{promptFile}` `{repo}` `{model}` `{taskId}` inline, and `{flags}` `{files}` `{args}`
 * as a whole element (spliced in, possibly empty). An array is an option group that is dropped
 * whole when any placeholder in it has no value (e.g. `["--model", "{model}"]` without a model).
 */
export const ArgvElement = z.union([z.string(), z.array(z.string()).check(z.minLength(1))]);
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

const usd = z.number().check(z.positive());

/** Spend caps over local calendar days and months; null = no cap. */
export const BudgetSpec = z.strictObject({
  dailyUsd: z._default(z.nullable(usd), null),
  monthlyUsd: z._default(z.nullable(usd), null),
});
export type BudgetSpec = z.infer<typeof BudgetSpec>;

/** Prices per million tokens, for tools that report tokens but no cost (codex). Costs from it are estimates. */
export const PricingSpec = z.strictObject({
  inputUsdPerMTok: z.number().check(z.nonnegative()),
  cachedInputUsdPerMTok: z.optional(z.number().check(z.nonnegative())),
  outputUsdPerMTok: z.number().check(z.nonnegative()),
  /** Where the prices come from and when (prices change; the user should check). */
  source: z.optional(z.string()),
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
  via: z._default(z.enum(['argument', 'stdin', 'file']), 'argument'),
  /** Longer prompts switch to `longVia`: a huge argument breaks Windows .cmd shims (8,191 chars) and quoting. */
  maxArgChars: z._default(positiveInt, 4000),
  longVia: z._default(z.enum(['stdin', 'file']), 'stdin'),
  /** What `{prompt}` becomes when the prompt goes by stdin (codex takes `-`); null drops the element. */
  stdinArg: z._default(z.nullable(z.string()), null),
});
export type PromptSpec = z.infer<typeof PromptSpec>;

const nonEmpty = z.string().check(z.minLength(1));

export const ClassifyRule = z.strictObject({
  /** A JavaScript regular expression (case-insensitive) matched against stdout+stderr. */
  pattern: nonEmpty,
  class: FailureClass,
  /** A short reason recorded in the ledger, e.g. "rate limit". */
  reason: nonEmpty,
  /** Where the text comes from (doc, source file), so the table can be checked against the tool. */
  source: z.optional(z.string()),
  /** The text reports an account limit: the tool (not just the task) waits for the reset. */
  limit: z.optional(LimitKind),
});
export type ClassifyRule = z.infer<typeof ClassifyRule>;

export const ToolSpec = z.strictObject({
  description: z.optional(z.string()),
  /** The program to run: a name looked up on PATH, or an absolute path. */
  executable: nonEmpty,
  /** The command line after the executable; see ArgvElement. */
  argv: z._default(z.array(ArgvElement), ['{flags}', '{args}']),
  prompt: z.prefault(PromptSpec, {}),
  /** Fills `{model}`; without one, option groups that use it are dropped. */
  model: z._default(z.nullable(z.string()), null),
  /** Environment set for this tool (after the allow-list). */
  env: z._default(z.record(z.string(), z.string()), {}),
  /** More variable names this tool may see, on top of the global allow-list. */
  envPass: z._default(z.array(envName), []),
  /** How many tasks of this tool may run at once. */
  concurrency: z._default(positiveInt, 1),
  /** Tasks of this tool change the repository: two of them never run in one repo at once. */
  writesRepo: z._default(z.boolean(), true),
  /** Per-attempt wall-clock limit; null takes policies.worker.defaultTimeoutSec. */
  timeoutSec: z._default(z.nullable(positiveInt), null),
  /** Ends an attempt that prints nothing for this long (hung agents); null takes the policy default. */
  idleTimeoutSec: z._default(z.nullable(positiveInt), null),
  /**
   * Output lines that mean the tool waits for a person (a yes/no question, a browser login): the
   * attempt ends at once as blocked on input instead of holding its slot until the idle timeout.
   */
  inputPatterns: z._default(z.array(nonEmpty), []),
  /** The built-in prompt patterns (`[y/N]`, `Password:`, ...) apply on top of `inputPatterns`. */
  builtinInputPatterns: z._default(z.boolean(), true),
  output: z._default(OutputFormat, 'text'),
  /** An exit-0 run whose own result says it did not do the work: done (with a warning), failed, or held for a person. */
  onSuspect: z._default(SuspectAction, 'attention'),
  /** A retry after a timeout, stall, stop, crash or usage limit continues the tool's session (claude, codex, gemini). */
  resume: z._default(z.boolean(), true),
  /** Spend caps for this tool alone (policies.budget caps all tools together). */
  budget: z.prefault(BudgetSpec, {}),
  /** Token prices for a tool that reports no cost (codex): cost = tokens x price, recorded as estimated. */
  pricing: z._default(z.nullable(PricingSpec), null),
  /** Exit codes with a known meaning, e.g. gemini's 41 (auth) or 173 (HTTP 429). */
  exitCodes: z._default(z.record(z.string().check(z.regex(/^-?\d+$/, 'an exit code')), FailureClass), {}),
  /** Output patterns, checked in order; the first match decides. */
  patterns: z._default(z.array(ClassifyRule), []),
  /** Class of a failure that no code or pattern explains. */
  unknownFailure: z._default(FailureClass, 'permanent'),
  /** Tasks of this tool run in a worktree of their own (when the repo is a git repository); a task's `worktree` overrides it. */
  worktree: z._default(z.boolean(), false),
  /** After an attempt in a worktree that changed files, commit them on the task's branch. */
  commit: z._default(z.boolean(), true),
  /** Tasks of this tool are done only when the repo's quality gate passes (true, step names, or false); a task's `verify` overrides it. */
  verify: z._default(VerifySetting, false),
});
export type ToolSpec = z.infer<typeof ToolSpec>;

export const LoopStep = z.strictObject({
  tool: nonEmpty,
  args: z._default(z.array(z.string()), []),
  prompt: z.optional(z.string()),
  timeoutSec: z.optional(positiveInt),
});
export type LoopStep = z.infer<typeof LoopStep>;

export const LoopSpec = z.strictObject({
  description: z.optional(z.string()),
  enabled: z._default(z.boolean(), true),
  intervalSec: z._default(positiveInt, 300),
  /** Each run starts up to this fraction of the interval early or late, so loops do not align. */
  jitter: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0.1),
  /** Repositories the loop visits, relative to the root. */
  repos: z._default(z.array(nonEmpty).check(z.minLength(1)), ['.']),
  /** Steps run one after another in each repo; a failing step ends that run. */
  steps: z.array(LoopStep).check(z.minLength(1)),
});
export type LoopSpec = z.infer<typeof LoopSpec>;

export const ToolsConfig = z.strictObject({
  $schema: z.optional(z.string()),
  /** Environment variables every tool may see; everything else is withheld. `*` suffix = prefix. */
  envPass: z._default(z.array(envName), [
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
  secretEnv: z._default(z.array(envName), [
    'ANTHROPIC_API_KEY',
    'OPENAI_API_KEY',
    'CODEX_API_KEY',
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
    '*_TOKEN',
    '*_SECRET',
  ]),
  tools: z.record(
    z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a tool name of letters, digits, . _ -')),
    ToolSpec,
  ),
  loops: z._default(
    z.record(
      z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a loop name of letters, digits, . _ -')),
      LoopSpec,
    ),
    {},
  ),
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
  events: z._default(z.array(NotifyEventName), [...NOTIFY_EVENTS]),
  /** A program run once per event (argv, no shell) with the event as JSON on stdin. */
  command: z._default(
    z.nullable(
      z.strictObject({
        argv: z.array(nonEmpty).check(z.minLength(1)),
        timeoutSec: z._default(positiveInt, 30),
      }),
    ),
    null,
  ),
  /** An HTTP(S) endpoint that gets each event as a JSON POST. */
  webhook: z._default(
    z.nullable(
      z.strictObject({
        url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
        headers: z._default(z.record(nonEmpty, z.string()), {}),
        timeoutMs: z._default(positiveInt, 5000),
        retries: z._default(nonNegativeInt.check(z.lte(10)), 3),
      }),
    ),
    null,
  ),
  /** A desktop notification (Windows toast, notify-send on Linux, osascript on macOS). */
  desktop: z._default(z.boolean(), false),
});
export type NotifyConfig = z.infer<typeof NotifyConfig>;

/**
 * A section of policies.json: strict, and `{}` when absent (every field of a section has a default;
 * `PoliciesConfig.parse({})` in the tests proves it, which the cast cannot).
 */
const section = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.prefault(z.strictObject(shape), {} as z.input<z.ZodMiniObject<S, z.core.$strict>>);

export const PoliciesConfig = z.strictObject({
  $schema: z.optional(z.string()),
  worker: section({
    /** Tasks running at once, across all tools. */
    concurrency: z._default(positiveInt, 2),
    defaultTimeoutSec: z._default(positiveInt, 1800),
    defaultIdleTimeoutSec: z._default(positiveInt, 600),
    /** The folder listing is the truth; watch events only make the next scan come sooner. */
    rescanIntervalMs: z._default(positiveInt, 2000),
    /**
     * Complete lines of an inbox file are read at once; the file is closed (a last line without a
     * newline read, the file moved out) once it has not changed for this long.
     */
    settleMs: z._default(nonNegativeInt, 2000),
    /** Task repos must lie inside one of these folders (relative to the root). */
    allowedRepoRoots: z._default(z.array(nonEmpty).check(z.minLength(1)), ['.']),
    maxLineBytes: z._default(positiveInt, 262144),
    /** Per-task output log cap: head and tail are kept, a marker stands between. */
    taskLogMaxBytes: z._default(positiveInt, 10 * 1024 * 1024),
    /** Whether time the machine slept (laptop suspend) counts against an attempt's timeouts. */
    timeoutCountsSleep: z._default(z.boolean(), false),
    /** `auto`: tools are started by a small spawner process on POSIX (the worker never forks); `off`: by the worker. */
    spawner: z._default(z.enum(['auto', 'off']), 'auto'),
  }),
  retry: section({
    maxAttempts: z._default(positiveInt, 3),
    baseDelayMs: z._default(positiveInt, 5000),
    maxDelayMs: z._default(positiveInt, 15 * 60 * 1000),
    jitter: z._default(JitterKind, 'decorrelated'),
    /** A reset time printed by the tool (usage limits) is honoured up to this far ahead. */
    maxResetWaitSec: z._default(positiveInt, 6 * 3600),
  }),
  breaker: section({
    /** Failures (transient or permanent tool failures, not bad tasks) that open a tool's breaker... */
    failures: z._default(positiveInt, 5),
    /** ...within this many seconds. */
    windowSec: z._default(positiveInt, 300),
    /** How long it stays open before one trial task is let through (half-open). */
    openSec: z._default(positiveInt, 600),
  }),
  recovery: section({
    /** A processing task whose owner has not beaten for this long is taken back even if its pid looks alive. */
    staleAfterSec: z._default(positiveInt, 120),
    /** A task that was running when its worker died this many times is failed as poison. */
    maxCrashes: z._default(positiveInt, 3),
  }),
  gitLock: section({ minAgeSec: z._default(nonNegativeInt, 60) }),
  heartbeat: section({
    intervalSec: z._default(positiveInt, 5),
    staleAfterSec: z._default(positiveInt, 30),
  }),
  logs: section({
    maxSize: z._default(z.string().check(z.regex(/^\d+[kmg]?$/, 'a size such as 20m')), '20m'),
    maxFiles: z._default(positiveInt, 10),
    retentionDays: z._default(positiveInt, 14),
    level: z._default(z.enum(['error', 'warn', 'info', 'debug']), 'info'),
    /** The ledger's live file moves to a numbered segment (ledger.N.jsonl) at this size. */
    ledgerMaxMb: z._default(positiveInt, 64),
    /** What happens to finished task records past retentionDays: deleted, or moved to .tasks/archive/. */
    finishedRecords: z._default(z.enum(['delete', 'archive']), 'archive'),
  }),
  disk: section({
    /** Below this much free space on the root's volume the worker stops claiming tasks. */
    minFreeMb: z._default(nonNegativeInt, 500),
    /** How often free space is checked while nothing else asks (it is also checked before each claim). */
    checkIntervalSec: z._default(positiveInt, 30),
  }),
  supervisor: section({
    restartBaseMs: z._default(positiveInt, 250),
    restartMaxMs: z._default(positiveInt, 30000),
    /** A child that stays up this long has its backoff reset. */
    stableAfterSec: z._default(positiveInt, 60),
    stormRestarts: z._default(positiveInt, 5),
    stormWindowSec: z._default(positiveInt, 60),
    stormDelaySec: z._default(positiveInt, 300),
  }),
  shutdown: section({
    graceSec: z._default(positiveInt, 10),
    /** `headless stop --drain`: how long running attempts may take to finish before the stop. */
    drainSec: z._default(positiveInt, 7200),
  }),
  worktrees: section({
    /** `headless clean` removes worktrees of tasks that ended longer ago than this. */
    keepDays: z._default(nonNegativeInt, 7),
    /** Author and committer of the commits headless makes on task branches; null: git's configured identity. */
    author: z._default(z.nullable(z.strictObject({ name: nonEmpty, email: nonEmpty })), null),
  }),
  verify: section({
    /** Gate runs per task (each after a successful run of the agent); the last failing one holds the task for a person. */
    maxRounds: z._default(positiveInt.check(z.lte(10)), 2),
    /** The first this many failure lines of each failed step go into the next round's prompt. */
    linesPerStep: z._default(positiveInt.check(z.lte(500)), 20),
    /** The next round's prompt is cut to this many characters (the log paths always stay). */
    maxPromptChars: z._default(positiveInt.check(z.gte(500), z.lte(100000)), 6000),
  }),
  notify: z.prefault(NotifyConfig, {}),
  limits: section({
    /** A tool parked by a usage limit waits at most this long (weekly limits park for days). */
    maxParkHours: z._default(positiveInt, 168),
    /** Added to a printed reset (0..jitterSec at random), so parked work does not all start at once. */
    jitterSec: z._default(nonNegativeInt, 60),
    /** Without a printed reset: the first park, doubling per limit in a row... */
    backoffBaseSec: z._default(positiveInt, 60),
    /** ...up to this. */
    backoffMaxSec: z._default(positiveInt, 3600),
  }),
  /** Spend caps across all AI tools, over local calendar days and months. */
  budget: z.prefault(BudgetSpec, {}),
});
export type PoliciesConfig = z.infer<typeof PoliciesConfig>;
