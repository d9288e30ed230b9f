import type { ClassifyRule, FailureClass, LimitKind, ToolSpec } from '../config/schema.js';
import { parseOutput, type ParsedOutput, type Usage } from './output-parsers.js';
import { estimateCost } from './pricing.js';
import { parseResetTime } from './reset-time.js';
import type { EndReason } from '../process/types.js';

/**
 * Turns one finished attempt into an outcome the worker acts on: success, a failure worth retrying
 * (transient, timeout, stalled, interrupted) or one that is not (permanent, not-found). Pure: the
 * clock comes in as `now`.
 *
 * Order: how the attempt ended; the tool's own verdict in its output (`output` format); a rejected
 * flag (the CLIs' usage errors); an `auth` pattern (it beats the tool's own status: claude reports
 * "Not logged in" with `api_error_status: null`, which otherwise reads as a network error);
 * `exitCodes`; `patterns` (first match wins); `unknownFailure`.
 *
 * Outcomes that need a person (`auth`, `blocked_on_input`, `suspect`) are never retryable: retrying
 * burns attempts on something only a login, a flag or a look at the result can fix.
 */

export interface AttemptResultInput {
  exitCode: number | null;
  signal: string | null;
  endReason: EndReason;
  stdout: string;
  stderr: string;
  error?: string;
  /** For `blocked-on-input` / `budget`: the prompt text the tool printed, or the budget reason. */
  endDetail?: string;
}

export type Outcome =
  | 'success'
  | 'transient'
  | 'permanent'
  | 'timeout'
  | 'stalled'
  | 'not-found'
  | 'interrupted'
  /** Not logged in or a bad key: every task of the tool would fail the same way until someone logs in. */
  | 'auth'
  /** The tool asked a question (an input pattern matched): only a person or a flag can answer it. */
  | 'blocked_on_input'
  /** Exit 0, but the tool's own result says it did not do the work (`tools.<t>.onSuspect: attention`). */
  | 'suspect'
  /** The attempt was ended because its running cost passed the cap (see usage-tracker.ts). */
  | 'budget';

/** Outcomes that wait for a person: the worker holds the task (needs-attention) instead of failing or retrying it. */
export const ATTENTION_OUTCOMES: ReadonlySet<Outcome> = new Set(['auth', 'blocked_on_input', 'suspect']);

export interface Classification {
  outcome: Outcome;
  retryable: boolean;
  reason: string;
  /** ISO time before which the tool will not accept work (usage limits). */
  resetAt?: string;
  usage?: Usage;
  sessionId?: string;
  /** Set on a success that may not have done the work (e.g. claude's permission denials). */
  suspect?: string;
  /** The tool's final message (at most FINAL_MESSAGE_MAX characters): what `headless show` prints. */
  finalMessage?: string;
  /** A transient failure that is an account limit: the tool (not only this task) should park until `resetAt`. */
  limit?: LimitKind;
  /** The attempt tried to resume a session the tool does not know: the next attempt should start fresh. */
  sessionNotFound?: boolean;
}

/** A final message is kept whole up to this size; longer ones keep their start (where agents summarize). */
export const FINAL_MESSAGE_MAX = 16_000;

export function classifyAttempt(
  toolName: string,
  tool: ToolSpec,
  result: AttemptResultInput,
  now: Date,
): Classification {
  const parsed = parseOutput(tool.output, result.stdout, result.stderr);
  const extras: Pick<Classification, 'usage' | 'sessionId' | 'finalMessage'> = {};
  if (parsed.usage) extras.usage = estimateCost(parsed.usage, tool.pricing);
  if (parsed.sessionId) extras.sessionId = parsed.sessionId;
  if (parsed.finalMessage) {
    extras.finalMessage =
      parsed.finalMessage.length > FINAL_MESSAGE_MAX
        ? `${parsed.finalMessage.slice(0, FINAL_MESSAGE_MAX - 1)}…`
        : parsed.finalMessage;
  }
  const allText = [parsed.failure?.text, result.stdout, result.stderr].filter(Boolean).join('\n');

  const early = endedBefore(toolName, tool, result, allText, now);
  // A tool never started printed nothing: its extras are empty.
  if (early) return { ...early, ...extras };
  if (result.exitCode === null) {
    // Killed from outside (OOM killer, a user's kill): the work itself may be fine.
    return {
      outcome: 'transient',
      retryable: true,
      reason: `${toolName} was killed by ${result.signal ?? 'a signal'}`,
      ...extras,
    };
  }

  if (result.exitCode === 0 && !parsed.failure) return { ...successOf(tool, parsed.suspect), ...extras };

  const rejected = result.exitCode !== 0 ? rejectedFlag(toolName, allText) : undefined;
  if (rejected) return { outcome: 'permanent', retryable: false, reason: rejected, ...extras };
  if (parsed.failure?.budget) {
    return { outcome: 'budget', retryable: false, reason: parsed.failure.reason, ...extras };
  }
  if (parsed.failure?.sessionNotFound) {
    return {
      outcome: 'permanent',
      retryable: false,
      reason: parsed.failure.reason,
      sessionNotFound: true,
      ...extras,
    };
  }

  return { ...failureOf(toolName, tool, result, parsed.failure, allText, now), ...extras };
}

/** An attempt that did not end by its own exit: never started, timed out, ended by the worker. */
function endedBefore(
  toolName: string,
  tool: ToolSpec,
  result: AttemptResultInput,
  allText: string,
  now: Date,
): Classification | undefined {
  switch (result.endReason) {
    case 'not-found':
      return {
        outcome: 'not-found',
        retryable: false,
        reason: `${tool.executable} not found on PATH: install it or set its executable in config/tools.json (tools.${toolName}.executable)`,
      };
    case 'spawn-error': {
      const error = result.error ?? 'the process could not be started';
      // Resource exhaustion passes; a bad executable (EACCES, ENOEXEC, EINVAL) does not.
      const transient = /\b(EAGAIN|EMFILE|ENFILE|ENOMEM|EBUSY)\b/.test(error);
      return {
        outcome: transient ? 'transient' : 'permanent',
        retryable: transient,
        reason: `${toolName} could not be started: ${error}`,
      };
    }
    case 'runner-lost':
      // Not the tool's doing (no breaker count): the attempt is retried like one whose worker died.
      return {
        outcome: 'interrupted',
        retryable: true,
        reason: `${toolName} was cut short: ${result.error ?? 'the process that started it died'}`,
      };
    case 'timeout':
    case 'idle':
    case 'aborted':
      return endedEarly(toolName, tool, result.endReason, allText, now);
    case 'blocked-on-input':
      return {
        outcome: 'blocked_on_input',
        retryable: false,
        reason: `blocked on input: ${toolName} asked "${(result.endDetail ?? '').trim().slice(0, 160)}"; make it non-interactive (a model and an API key for aider; flags in tools.${toolName}.argv)`,
      };
    case 'budget':
      return {
        outcome: 'budget',
        retryable: false,
        reason: result.endDetail ?? `${toolName} was stopped at its spend cap`,
      };
    case 'exited':
      return undefined;
  }
}

/** A failed exit: the parsed failure, the tool's patterns and exit codes decide its class and reason. */
function failureOf(
  toolName: string,
  tool: ToolSpec,
  result: AttemptResultInput,
  failure: ParsedOutput['failure'],
  allText: string,
  now: Date,
): Classification {
  let cls: FailureClass | undefined = failure?.class;
  let reason = failure?.reason;
  const rule = firstMatch(tool.patterns, allText);
  if (rule?.class === 'auth') {
    cls = 'auth';
    reason = `${rule.reason}${failure?.text ? `: ${firstLine(failure.text)}` : ''}`;
  } else if (cls === undefined) {
    const byCode = tool.exitCodes[String(result.exitCode)];
    if (byCode !== undefined) {
      cls = byCode;
      reason =
        rule && rule.class === byCode
          ? `${rule.reason} (exit code ${result.exitCode})`
          : exitCodeReason(result, reason);
    } else if (rule) {
      cls = rule.class;
      reason = `${rule.reason}${reason ? `: ${reason}` : ''}`;
    } else {
      cls = tool.unknownFailure;
      reason = exitCodeReason(result, reason);
    }
  } else if (rule && rule.class === cls && reason !== undefined && !reason.startsWith(rule.reason)) {
    reason = `${rule.reason}: ${reason}`;
  }

  const out: Classification = {
    outcome: cls,
    retryable: cls === 'transient',
    reason: reason ?? exitCodeReason(result, undefined),
  };
  if (cls === 'transient') {
    const limit = rule?.class === 'transient' && rule.limit ? rule.limit : failure?.limit;
    if (limit) out.limit = limit;
    const resetAt = parseResetTime(allText, now);
    if (resetAt && resetAt > now) out.resetAt = resetAt.toISOString();
  }
  return out;
}

/** Exit 0 and no error in the output; a suspect result goes by `tools.<t>.onSuspect`. */
function successOf(tool: ToolSpec, suspect: string | undefined): Classification {
  if (suspect === undefined) return { outcome: 'success', retryable: false, reason: 'exit code 0' };
  switch (tool.onSuspect) {
    case 'done':
      return { outcome: 'success', retryable: false, reason: 'exit code 0', suspect };
    case 'failed':
      return { outcome: 'permanent', retryable: false, reason: suspect, suspect };
    case 'attention':
      return { outcome: 'suspect', retryable: false, reason: suspect, suspect };
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

function endedEarly(
  toolName: string,
  tool: ToolSpec,
  endReason: 'timeout' | 'idle' | 'aborted',
  text: string,
  now: Date,
): Classification {
  const base: Record<typeof endReason, { outcome: Outcome; reason: string }> = {
    timeout: { outcome: 'timeout', reason: `${toolName} ran past its time limit and was stopped` },
    idle: { outcome: 'stalled', reason: `${toolName} printed nothing for too long and was stopped` },
    aborted: { outcome: 'interrupted', reason: `${toolName} was stopped by a shutdown or cancel` },
  };
  const out: Classification = { ...base[endReason], retryable: true };
  if (endReason === 'aborted') return out;
  // The CLIs retry internally for minutes; their last words often say why the attempt went nowhere.
  const rule = firstMatch(tool.patterns, text);
  if (rule) out.reason += ` (its output shows: ${rule.reason})`;
  if (rule?.class !== 'transient') return out;
  if (rule.limit) out.limit = rule.limit;
  const resetAt = parseResetTime(text, now);
  if (resetAt && resetAt > now) out.resetAt = resetAt.toISOString();
  return out;
}

function exitCodeReason(result: AttemptResultInput, detail: string | undefined): string {
  if (detail) return `${detail} (exit code ${result.exitCode})`;
  const lastLine = lastNonEmptyLine(result.stderr) ?? lastNonEmptyLine(result.stdout);
  return `exit code ${result.exitCode}${lastLine ? `: ${lastLine.slice(0, 300)}` : ''}`;
}

function lastNonEmptyLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.at(-1)?.trim();
}

const compiled = new WeakMap<ClassifyRule, RegExp | null>();

function firstMatch(rules: readonly ClassifyRule[], text: string): ClassifyRule | undefined {
  for (const rule of rules) {
    let re = compiled.get(rule);
    if (re === undefined) {
      re = compilePattern(rule.pattern);
      compiled.set(rule, re);
    }
    if (re?.test(text)) return rule;
  }
  return undefined;
}

/** Compiles a config pattern (case-insensitive), or null when it is not a valid regular expression. */
export function compilePattern(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return null;
  }
}

/** Config patterns that do not compile, as `tools.<name>.patterns[i]` / `inputPatterns[i]` paths (for config validation). */
export function invalidPatterns(tools: Record<string, ToolSpec>): string[] {
  const bad: string[] = [];
  for (const [name, tool] of Object.entries(tools)) {
    tool.patterns.forEach((rule, i) => {
      if (compilePattern(rule.pattern) === null) bad.push(`tools.${name}.patterns[${i}]: ${rule.pattern}`);
    });
    tool.inputPatterns.forEach((p, i) => {
      if (compilePattern(p) === null) bad.push(`tools.${name}.inputPatterns[${i}]: ${p}`);
    });
  }
  return bad;
}

/**
 * The usage errors the CLIs print for a flag they do not know (observed 2026-11):
 * claude (commander) `error: unknown option '--no-editor'`; codex (clap) `error: unexpected
 * argument '--non-interactive' found` and `invalid value 'x' for '--sandbox <MODE>'`; gemini (yargs)
 * `Unknown arguments: non-interactive, nonInteractive`; aider (argparse) `aider: error:
 * unrecognized arguments: --foo`.
 */
export function rejectedFlag(toolName: string, text: string): string | undefined {
  const fix = `remove it from the task's flags or tools.${toolName}.argv`;
  const single =
    /error: unknown option '([^']+)'/.exec(text) ?? /error: unexpected argument '([^']+)' found/.exec(text);
  if (single?.[1]) return `${toolName} rejected the flag ${single[1]}: ${fix}`;
  const badValue = rejectedValue(text);
  if (badValue) {
    return `${toolName} rejected the value '${badValue.value}' for ${badValue.flag}: fix it in the task's flags or tools.${toolName}.argv`;
  }
  const list =
    /Unknown arguments?: ([^\n]+)/.exec(text) ?? /error: unrecognized arguments: ([^\n]+)/.exec(text);
  if (list?.[1]) {
    const names = list[1]
      .split(/,\s*|\s+/)
      .map((n) => n.trim())
      .filter(Boolean);
    // yargs lists `non-interactive` and its camelCase twin `nonInteractive`: keep one.
    const kebab = new Set(names.filter((n) => n.includes('-')).map((n) => n.replace(/^-+/, '')));
    const flags = names
      .filter((n) => !kebab.has(n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)) || n.includes('-'))
      .map((n) => (n.startsWith('-') ? n : n.length === 1 ? `-${n}` : `--${n}`));
    const unique = [...new Set(flags)];
    const which = unique.length === 1 ? `the flag ${unique[0]}` : `the flags ${unique.join(' ')}`;
    return `${toolName} rejected ${which}: ${unique.length === 1 ? fix : `remove them from the task's flags or tools.${toolName}.argv`}`;
  }
  return undefined;
}

/** clap `invalid value 'x' for '--sandbox <MODE>'`, commander `option '--output-format <format>' argument 'x' is invalid`, yargs `Argument: approval-mode, Given: "x"`. */
function rejectedValue(text: string): { flag: string; value: string } | undefined {
  const clap = /invalid value '([^']*)' for '([^' <]+)/.exec(text);
  if (clap?.[2] !== undefined) return { flag: clap[2], value: clap[1] ?? '' };
  const commander = /option '([^' <]+)[^']*' argument '([^']*)' is invalid/.exec(text);
  if (commander?.[1] !== undefined) return { flag: commander[1], value: commander[2] ?? '' };
  const yargs = /Argument: ([\w-]+), Given: "([^"]*)"/.exec(text);
  if (yargs?.[1] !== undefined) return { flag: `--${yargs[1]}`, value: yargs[2] ?? '' };
  return undefined;
}
