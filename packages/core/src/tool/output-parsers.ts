import type { FailureClass, LimitKind, OutputFormat } from '../config/schema.js';
import { parseQualityJson } from './quality-output.js';

/**
 * Reads what a tool says about its own run from its output, per `output` format. Exit codes alone
 * do not tell (claude exits 1 for everything, aider exits 0 after failed LLM calls), so these
 * parsers find the tool's verdict, the error text to classify, tokens/cost and the session id.
 * Shapes are those recorded from the real CLIs (docs/tools.md; the fixture suite in
 * packages/test-support/fixtures holds the recordings and what each must parse to).
 */

export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens?: number;
  /** The part of `inputTokens` read from the provider's cache (cheaper). */
  cachedInputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** The cost was computed from tokens x `tools.<t>.pricing`, not reported by the tool. */
  costEstimated?: boolean;
}

export interface ParsedFailure {
  /** Set when the output alone settles the class (e.g. claude's api_error_status); else patterns decide. */
  class?: FailureClass;
  reason: string;
  /** The tool's error text, matched against patterns and searched for a reset time. */
  text: string;
  /** An account limit (claude 429, gemini 429): the tool parks; config patterns may say more. */
  limit?: LimitKind;
  /** A resume named a session the tool does not have. */
  sessionNotFound?: boolean;
  /** The tool stopped at the spend cap it was given (claude --max-budget-usd). */
  budget?: boolean;
}

export interface ParsedOutput {
  /** The output reports a completed run (claude result without is_error, codex turn.completed, gemini response). */
  completed?: boolean;
  failure?: ParsedFailure;
  usage?: Usage;
  sessionId?: string;
  /** A success that may not have done the work. */
  suspect?: string;
  /** The tool's last word to the user: claude `result`, codex's last `agent_message`, gemini `response`. */
  finalMessage?: string;
}

export function parseOutput(format: OutputFormat, stdout: string, stderr: string): ParsedOutput {
  const missing = sessionNotFound(format, `${stderr}\n${stdout}`);
  if (missing) return { failure: missing };
  switch (format) {
    case 'claude-json':
      return parseClaudeJson(stdout);
    case 'codex-jsonl':
      return parseCodexJsonl(stdout);
    case 'gemini-json':
      return parseGeminiJson(stdout, stderr);
    case 'aider':
      return parseAider(stdout + '\n' + stderr);
    case 'quality-json':
      return parseQualityJson(stdout);
    case 'text':
      return {};
  }
}

/**
 * A resume of a session the tool does not have (recorded from the real CLIs, 2026-12): claude
 * exit 1 `No conversation found with session ID: <id>`; codex exit 1 `thread/resume failed: no
 * rollout found for thread id <id>`; gemini exit 42 `Error resuming session: ...` or
 * `Invalid session identifier "<id>"`.
 */
function sessionNotFound(format: OutputFormat, text: string): ParsedFailure | undefined {
  const re: Partial<Record<OutputFormat, RegExp>> = {
    'claude-json': /No conversation found with session ID: ?(\S*)/,
    'codex-jsonl': /no rollout found for thread id (\S+)/,
    'gemini-json': /Error resuming session: [^\n]*|Invalid session identifier "[^"]*"/,
  };
  const m = re[format]?.exec(text);
  if (!m) return undefined;
  return {
    class: 'permanent',
    reason: `the session to resume is gone (${m[0].trim().slice(0, 160)}): the next attempt starts a new session`,
    text: m[0],
    sessionNotFound: true,
  };
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function jsonLines(text: string): Json[] {
  const out: Json[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const obj = asObject(JSON.parse(t));
      if (obj) out.push(obj);
    } catch {
      // Not JSON: tools mix warnings into their output.
    }
  }
  return out;
}

/** The last JSON object in `text`, which may be pretty-printed over several lines and preceded by warnings. */
export function lastJsonObject(text: string): Json | undefined {
  const starts: number[] = [];
  const re = /(^|\n)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(text.indexOf('{', m.index));
  const end = text.lastIndexOf('}');
  for (let i = starts.length - 1; i >= 0; i--) {
    const start = starts[i] ?? 0;
    if (start > end) continue;
    try {
      const obj = asObject(JSON.parse(text.slice(start, end + 1)));
      if (obj) return obj;
    } catch {
      // Try an earlier start.
    }
  }
  return undefined;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function usageOf(u: Usage): Usage | undefined {
  const clean = withoutUndefined(u);
  return Object.keys(clean).length > 0 ? clean : undefined;
}

/**
 * claude `--output-format json` (one result line) or `stream-json` (the last `type:"result"` line).
 * `subtype` stays "success" on errors: `is_error` is the truth. `api_error_status` is 401/403
 * (auth), 429 (rate or usage limit), 529 (overloaded), null (network).
 */
function parseClaudeJson(stdout: string): ParsedOutput {
  const result = jsonLines(stdout)
    .reverse()
    .find((o) => o.type === 'result');
  if (!result) return { suspect: 'claude printed no JSON result line (is --output-format json set?)' };
  const u = asObject(result.usage);
  const input = u
    ? (num(u.input_tokens) ?? 0) +
      (num(u.cache_creation_input_tokens) ?? 0) +
      (num(u.cache_read_input_tokens) ?? 0)
    : undefined;
  const parsed: ParsedOutput = withoutUndefined({
    usage: usageOf({
      inputTokens: input,
      cachedInputTokens: u ? num(u.cache_read_input_tokens) : undefined,
      outputTokens: u ? num(u.output_tokens) : undefined,
      costUsd: num(result.total_cost_usd),
    }),
    sessionId: str(result.session_id),
  });
  const text = str(result.result) ?? str(result.error) ?? '';
  if (result.is_error === true) {
    parsed.failure = claudeFailure(result, text);
    return parsed;
  }
  parsed.completed = true;
  if (text !== '') parsed.finalMessage = text;
  const denials = Array.isArray(result.permission_denials) ? result.permission_denials : [];
  if (denials.length > 0) {
    const tools = [...new Set(denials.map((d) => str(asObject(d)?.tool_name) ?? '?'))].join(', ');
    parsed.suspect =
      `claude was denied ${denials.length} tool call(s) (${tools}) and may not have done the work: ` +
      `allow them with --allowedTools in the task's flags or tools.claude.argv`;
  } else if (text.trim() === '') {
    parsed.suspect = 'claude reported success with an empty result';
  }
  return parsed;
}

/** claude's texts for a missing or bad login (2.1.331: `Not logged in · Please run /login`). */
const CLAUDE_AUTH =
  /Not logged in|Please run \/login|Invalid API key|Authentication required|Invalid auth token|OAuth token (?:has expired|revoked)|authentication_failed/i;
const CLAUDE_USAGE_LIMIT = /hit your (?:session |weekly |usage )?limit|usage limit reached|\bresets? /i;

function claudeFailure(result: Json, text: string): ParsedFailure {
  const subtype = str(result.subtype);
  if (subtype === 'error_max_turns') {
    return {
      class: 'permanent',
      reason: 'claude stopped at its turn limit (error_max_turns): raise --max-turns or split the task',
      text,
    };
  }
  if (subtype === 'error_max_budget_usd') {
    return {
      class: 'permanent',
      reason: 'claude stopped at its --max-budget-usd cap (error_max_budget_usd)',
      text,
      budget: true,
    };
  }
  const short = text.split('\n')[0]?.slice(0, 200) ?? '';
  // Before the status: a missing login also comes with api_error_status null (claude 2.1.331+).
  const status = result.api_error_status;
  if (CLAUDE_AUTH.test(text) || status === 401 || status === 403) {
    const code = typeof status === 'number' ? ` (${status})` : '';
    return {
      class: 'auth',
      reason: `claude authentication failed${code}: log in with claude /login or set ANTHROPIC_API_KEY: ${short}`,
      text,
    };
  }
  if (!('api_error_status' in result))
    return { reason: `claude error: ${short || subtype || 'unknown'}`, text };
  if (status === null)
    return { class: 'transient', reason: `claude could not reach the API: ${short}`, text };
  const code = num(status);
  if (code === 429) {
    const limit = CLAUDE_USAGE_LIMIT.test(text) ? 'usage' : 'rate';
    return {
      class: 'transient',
      reason: `claude ${limit === 'usage' ? 'usage' : 'rate'} limit (429): ${short}`,
      text,
      limit,
    };
  }
  if (code === 529) return { class: 'transient', reason: `claude API overloaded (529): ${short}`, text };
  if (code !== undefined && code >= 500) {
    return { class: 'transient', reason: `claude API error ${code}: ${short}`, text };
  }
  return { reason: `claude API error ${code ?? '?'}: ${short}`, text };
}

/**
 * codex `exec --json` events. `error` events are also used for `Reconnecting... n/5` progress, so
 * only `turn.failed` (or a trailing `error` without a completed turn) is a failure.
 */
function parseCodexJsonl(stdout: string): ParsedOutput {
  const events = jsonLines(stdout);
  if (events.length === 0) return {};
  let sessionId: string | undefined;
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let cachedInputTokens: number | undefined;
  let completed = false;
  let failedMessage: string | undefined;
  let lastError: string | undefined;
  let finalMessage: string | undefined;
  for (const e of events) {
    if (e.type === 'thread.started') sessionId = str(e.thread_id) ?? sessionId;
    const item = asObject(e.item);
    if (e.type === 'item.completed' && item?.type === 'agent_message') finalMessage = str(item.text);
    if (e.type === 'turn.completed') {
      completed = true;
      const u = asObject(e.usage);
      if (u) {
        inputTokens = (inputTokens ?? 0) + (num(u.input_tokens) ?? 0);
        cachedInputTokens = (cachedInputTokens ?? 0) + (num(u.cached_input_tokens) ?? 0);
        outputTokens = (outputTokens ?? 0) + (num(u.output_tokens) ?? 0);
      }
    }
    if (e.type === 'turn.failed') failedMessage = str(asObject(e.error)?.message) ?? 'turn failed';
    if (e.type === 'error') {
      const message = str(e.message) ?? '';
      if (!/^Reconnecting\b/i.test(message)) lastError = message;
    }
  }
  const parsed: ParsedOutput = withoutUndefined({
    sessionId,
    usage: usageOf({ inputTokens, cachedInputTokens, outputTokens }),
    finalMessage,
  });
  const message = failedMessage ?? (completed ? undefined : lastError);
  if (message !== undefined) {
    const text = [message, lastError].filter((t) => t !== undefined).join('\n');
    parsed.failure = { reason: `codex turn failed: ${message.slice(0, 200)}`, text };
  } else if (completed) {
    parsed.completed = true;
  }
  return parsed;
}

/**
 * gemini `--output-format json`: success on stdout `{session_id, response, stats}`, errors on
 * stderr `{session_id, error: {type, message, code}}`.
 */
function parseGeminiJson(stdout: string, stderr: string): ParsedOutput {
  const out = lastJsonObject(stdout);
  const err = lastJsonObject(stderr);
  const errorObj = asObject(err?.error) ?? asObject(out?.error);
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  const models = asObject(asObject(out?.stats)?.models);
  for (const model of Object.values(models ?? {})) {
    const tokens = asObject(asObject(model)?.tokens);
    if (!tokens) continue;
    inputTokens = (inputTokens ?? 0) + (num(tokens.input) ?? num(tokens.prompt) ?? 0);
    outputTokens = (outputTokens ?? 0) + (num(tokens.candidates) ?? 0);
  }
  const parsed: ParsedOutput = withoutUndefined({
    sessionId: str(out?.session_id) ?? str(err?.session_id),
    usage: usageOf({ inputTokens, outputTokens }),
  });
  if (errorObj) {
    const message = str(errorObj.message) ?? 'unknown error';
    const code = num(errorObj.code);
    parsed.failure = {
      reason: `gemini error${code === undefined ? '' : ` ${code}`}: ${message.split('\n')[0]?.slice(0, 200)}`,
      text: message,
    };
    // 41 is gemini's documented "authentication" exit: no key, no login.
    if (code === 41) parsed.failure.class = 'auth';
    if (code === 429) parsed.failure.limit = /daily quota/i.test(message) ? 'usage' : 'rate';
  } else if (out && typeof out.response === 'string') {
    parsed.completed = true;
    if (out.response !== '') parsed.finalMessage = out.response;
    if (out.response.trim() === '') parsed.suspect = 'gemini reported success with an empty response';
    else parsed.finalMessage = out.response;
  }
  return parsed;
}

/**
 * aider prints LLM errors and keeps going, then exits 0 (aider/coders/base_coder.py `send_message`):
 * each failed call prints the litellm exception (`litellm.RateLimitError: ...`) and, for known
 * classes, a description from aider/exceptions.py; a retryable one is followed by
 * `Retrying in N seconds...`. An error with no retry after it is the call that gave up.
 */
const AIDER_ERROR_LINE =
  /^(?:litellm\.\w+(?:Error|Timeout)\b|(?:openai|anthropic)\.\w+Error\b|The API provider (?:is not able to authenticate you|has rate limited you|has refused the request|timed out without returning)|The API provider's servers are down or overloaded|Model .+ has hit a token limit!|No LLM model was specified and no API keys were provided|Message file not found:|Error reading message file:)/;
const AIDER_RETRY_LINE = /^Retrying in [\d.]+ seconds/;

function parseAider(output: string): ParsedOutput {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  let lastError = -1;
  let lastRetry = -1;
  let sent = 0;
  let received = 0;
  let sawTokens = false;
  let cost: number | undefined;
  lines.forEach((line, i) => {
    if (AIDER_ERROR_LINE.test(line)) lastError = i;
    if (AIDER_RETRY_LINE.test(line)) lastRetry = i;
    const tokens = /^Tokens: ([\d.]+[kKmM]?) sent.*?, ([\d.]+[kKmM]?) received/.exec(line);
    if (tokens?.[1] && tokens[2]) {
      sent += tokenCount(tokens[1]);
      received += tokenCount(tokens[2]);
      sawTokens = true;
    }
    const session = /Cost: \$[\d.]+ message, \$([\d.]+) session/.exec(line);
    if (session?.[1]) cost = Number(session[1]);
  });
  const parsed: ParsedOutput = withoutUndefined({
    usage: usageOf({
      inputTokens: sawTokens ? sent : undefined,
      outputTokens: sawTokens ? received : undefined,
      costUsd: cost,
    }),
  });
  if (lastError >= 0 && lastRetry < lastError) {
    // The exception line and aider's one-line description that follows it.
    const text = lines.slice(Math.max(0, lastError - 1), lastError + 3).join('\n');
    parsed.failure = { reason: `aider LLM call failed: ${lines[lastError]?.slice(0, 200)}`, text };
  }
  return parsed;
}

function tokenCount(text: string): number {
  const n = Number.parseFloat(text);
  const suffix = text.slice(-1).toLowerCase();
  return Math.round(suffix === 'k' ? n * 1000 : suffix === 'm' ? n * 1_000_000 : n);
}
