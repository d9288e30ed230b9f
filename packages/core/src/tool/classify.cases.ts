/**
 * Real outputs of the tools, row by row (claude, codex, gemini, aider, git, node): what each must be
 * classified as. Data for classify.test.ts.
 */
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig, ToolSpec } from '../config/schema.js';
import type { AttemptResultInput } from './classify.js';

export const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
export const now = new Date(2026, 10, 20, 9, 30, 0); // local time: reset texts are local

export function spec(name: string, patch: Partial<ToolSpec> = {}): ToolSpec {
  const t = tools[name];
  if (!t) throw new Error(name);
  return { ...t, ...patch };
}

export function exited(exitCode: number, stdout: string, stderr = ''): AttemptResultInput {
  return { exitCode, signal: null, endReason: 'exited', stdout, stderr };
}

export const claudeResult = (fields: Record<string, unknown>) =>
  JSON.stringify({
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: 'hi',
    num_turns: 1,
    total_cost_usd: 0.000148,
    session_id: 'sess-1',
    usage: { input_tokens: 12, output_tokens: 5 },
    permission_denials: [],
    ...fields,
  }) + '\n';

export const codexLines = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

export const geminiError = (code: number, message: string) =>
  JSON.stringify({ session_id: 'g1', error: { type: 'Error', message, code } }, null, 2);

export interface Row {
  name: string;
  tool: string;
  result: AttemptResultInput;
  outcome: string;
  reason?: RegExp;
  resetAt?: Date;
}

export const table: Row[] = [
  // claude: exit codes say nothing, the JSON does.
  { name: 'claude success', tool: 'claude', result: exited(0, claudeResult({})), outcome: 'success' },
  {
    name: 'claude 429',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({
        is_error: true,
        api_error_status: 429,
        result: 'API Error: Request rejected (429) · Rate limited',
      }),
    ),
    outcome: 'transient',
    reason: /rate limit \(429\)/,
  },
  {
    name: 'claude session limit with reset',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({
        is_error: true,
        api_error_status: 429,
        result: "You've hit your session limit · resets 3pm",
      }),
    ),
    outcome: 'transient',
    resetAt: new Date(2026, 10, 20, 15, 0),
  },
  {
    name: 'claude 529',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({ is_error: true, api_error_status: 529, result: 'Repeated 529 Overloaded errors' }),
    ),
    outcome: 'transient',
    reason: /overloaded/,
  },
  {
    name: 'claude 401',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({
        is_error: true,
        api_error_status: 401,
        result: 'Invalid API key · Fix external API key',
      }),
    ),
    outcome: 'auth',
    reason: /^authentication: run claude \/login.*Invalid API key/,
  },
  {
    name: 'claude network (status null)',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({
        is_error: true,
        api_error_status: null,
        result: "Can't reach the API server (ENOTFOUND)",
      }),
    ),
    outcome: 'transient',
  },
  {
    name: 'claude max turns',
    tool: 'claude',
    result: exited(1, claudeResult({ is_error: true, subtype: 'error_max_turns', result: undefined })),
    outcome: 'permanent',
    reason: /max-turns/,
  },
  {
    name: 'claude is_error with exit 0',
    tool: 'claude',
    result: exited(0, claudeResult({ is_error: true, api_error_status: 529, result: 'Overloaded' })),
    outcome: 'transient',
  },
  {
    name: 'claude billing (400, no class from status)',
    tool: 'claude',
    result: exited(
      1,
      claudeResult({ is_error: true, api_error_status: 400, result: 'Credit balance is too low' }),
    ),
    outcome: 'permanent',
    reason: /billing/,
  },
  {
    name: 'claude not logged in (plain text)',
    tool: 'claude',
    result: exited(1, '', 'Not logged in · Please run /login\n'),
    outcome: 'auth',
    reason: /authentication/,
  },
  {
    name: 'claude unknown flag',
    tool: 'claude',
    result: exited(1, '', "error: unknown option '--no-editor'\n"),
    outcome: 'permanent',
    reason: /^claude rejected the flag --no-editor: remove it from the task's flags or tools\.claude\.argv$/,
  },
  {
    name: 'claude invalid choice',
    tool: 'claude',
    result: exited(
      1,
      '',
      "error: option '--output-format <format>' argument 'xml' is invalid. Allowed choices are text, json, stream-json.\n",
    ),
    outcome: 'permanent',
    reason: /^claude rejected the value 'xml' for --output-format/,
  },
  {
    name: 'gemini invalid choice',
    tool: 'gemini',
    result: exited(
      1,
      '',
      'Invalid values:\n  Argument: approval-mode, Given: "auto", Choices: "default", "auto_edit"\n',
    ),
    outcome: 'permanent',
    reason: /^gemini rejected the value 'auto' for --approval-mode/,
  },
  {
    name: 'claude as root with bypass',
    tool: 'claude',
    result: exited(
      1,
      '',
      '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n',
    ),
    outcome: 'permanent',
    reason: /acceptEdits/,
  },
  // codex
  {
    name: 'codex success',
    tool: 'codex',
    result: exited(
      0,
      codexLines(
        { type: 'thread.started', thread_id: 'th-1' },
        { type: 'turn.started' },
        { type: 'item.completed', item: { type: 'agent_message', text: 'hi' } },
        { type: 'turn.completed', usage: { input_tokens: 12, cached_input_tokens: 2, output_tokens: 5 } },
      ),
    ),
    outcome: 'success',
  },
  {
    name: 'codex 429 after retries',
    tool: 'codex',
    result: exited(
      1,
      codexLines(
        { type: 'thread.started', thread_id: 'th-1' },
        { type: 'error', message: 'Reconnecting... 1/5' },
        { type: 'error', message: 'exceeded retry limit, last status: 429 Too Many Requests' },
        {
          type: 'turn.failed',
          error: { message: 'exceeded retry limit, last status: 429 Too Many Requests' },
        },
      ),
    ),
    outcome: 'transient',
    reason: /^rate limit/,
  },
  {
    name: 'codex usage limit with reset time',
    tool: 'codex',
    result: exited(
      1,
      codexLines({
        type: 'turn.failed',
        error: {
          message: 'You\u2019ve hit your usage limit. Upgrade to Pro (...) or try again at 10:54 AM.',
        },
      }),
    ),
    outcome: 'transient',
    reason: /^usage limit/,
    resetAt: new Date(2026, 10, 20, 10, 54),
  },
  {
    name: 'codex far reset',
    tool: 'codex',
    result: exited(1, '', "ERROR: You've hit your usage limit. Try again at Nov 28th, 2026 8:13 AM.\n"),
    outcome: 'transient',
    resetAt: new Date(2026, 10, 28, 8, 13),
  },
  {
    name: 'codex 401',
    tool: 'codex',
    result: exited(
      1,
      codexLines({
        type: 'turn.failed',
        error: { message: 'unexpected status 401 Unauthorized: Incorrect API key provided' },
      }),
    ),
    outcome: 'auth',
    reason: /authentication/,
  },
  {
    name: 'codex billing',
    tool: 'codex',
    result: exited(1, '', 'ERROR: Quota exceeded. Check your plan and billing details.\n'),
    outcome: 'permanent',
    reason: /billing/,
  },
  {
    name: 'codex 503',
    tool: 'codex',
    result: exited(
      1,
      '',
      'ERROR: unexpected status 503 Service Unavailable: Selected model is at capacity\n',
    ),
    outcome: 'transient',
    reason: /overloaded/,
  },
  {
    name: 'codex blueprint flag',
    tool: 'codex',
    result: exited(
      2,
      '',
      "error: unexpected argument '--non-interactive' found\n\n  tip: ...\n\nUsage: codex exec [OPTIONS] [PROMPT] [COMMAND]\n",
    ),
    outcome: 'permanent',
    reason:
      /^codex rejected the flag --non-interactive: remove it from the task's flags or tools\.codex\.argv$/,
  },
  {
    name: 'codex bad sandbox value',
    tool: 'codex',
    result: exited(
      2,
      '',
      "error: invalid value 'none' for '--sandbox <SANDBOX_MODE>'\n  [possible values: read-only, workspace-write, danger-full-access]\n",
    ),
    outcome: 'permanent',
    reason: /rejected the value 'none' for --sandbox/,
  },
  {
    name: 'codex outside git',
    tool: 'codex',
    result: exited(1, '', 'Not inside a trusted directory and --skip-git-repo-check was not specified.\n'),
    outcome: 'permanent',
    reason: /skip-git-repo-check/,
  },
  {
    name: 'codex other usage error (exit 2)',
    tool: 'codex',
    result: exited(2, '', 'error: the argument --json cannot be used multiple times\n'),
    outcome: 'permanent',
  },
  // gemini
  {
    name: 'gemini success',
    tool: 'gemini',
    result: exited(
      0,
      JSON.stringify(
        {
          session_id: 'g1',
          response: 'hi',
          stats: { models: { m: { tokens: { input: 24, candidates: 10 } } } },
        },
        null,
        2,
      ),
    ),
    outcome: 'success',
  },
  {
    name: 'gemini 41 auth',
    tool: 'gemini',
    result: exited(41, '', geminiError(41, 'Please set an Auth method in your settings.json')),
    outcome: 'auth',
    reason: /authentication/,
  },
  {
    name: 'gemini 55 untrusted',
    tool: 'gemini',
    result: exited(55, '', geminiError(55, 'Gemini CLI is not running in a trusted directory.')),
    outcome: 'permanent',
    reason: /skip-trust/,
  },
  {
    name: 'gemini 429 (exit 173) with retry hint',
    tool: 'gemini',
    result: exited(
      173,
      '',
      geminiError(429, 'You exceeded your current quota ... Suggested retry after 2s.'),
    ),
    outcome: 'transient',
    resetAt: new Date(now.getTime() + 2000),
  },
  {
    name: 'gemini 400 (exit 144)',
    tool: 'gemini',
    result: exited(
      144,
      '',
      geminiError(400, 'API key not valid. Please pass a valid API key. [API_KEY_INVALID]'),
    ),
    outcome: 'auth',
  },
  {
    name: 'gemini 403 (exit 147)',
    tool: 'gemini',
    result: exited(147, '', geminiError(403, 'Forbidden')),
    outcome: 'auth',
  },
  {
    name: 'gemini 503 (exit 247)',
    tool: 'gemini',
    result: exited(247, '', geminiError(503, 'The model is overloaded.')),
    outcome: 'transient',
    reason: /overloaded/,
  },
  {
    name: 'gemini 53 turn limit',
    tool: 'gemini',
    result: exited(53, '', geminiError(53, 'Reached max session turns for this session.')),
    outcome: 'permanent',
  },
  {
    name: 'gemini text-mode network error',
    tool: 'gemini',
    result: exited(1, '', 'fetch failed sending request\n'),
    outcome: 'transient',
    reason: /network/,
  },
  {
    name: 'gemini blueprint flag',
    tool: 'gemini',
    result: exited(1, '', 'Usage: gemini [options]\n\nUnknown arguments: non-interactive, nonInteractive\n'),
    outcome: 'permanent',
    reason: /^gemini rejected the flag --non-interactive: remove it/,
  },
  // aider exits 0 after LLM failures.
  {
    name: 'aider success',
    tool: 'aider',
    result: exited(
      0,
      'Aider v0.86.1\nI made the change.\nTokens: 2.1k sent, 150 received. Cost: $0.0089 message, $0.0089 session.\n',
    ),
    outcome: 'success',
  },
  {
    name: 'aider rate limit that gave up',
    tool: 'aider',
    result: exited(
      0,
      'litellm.RateLimitError: AnthropicException - rate_limit_error\nThe API provider has rate limited you. Try again later or check your quotas.\nRetrying in 0.2 seconds...\n' +
        'litellm.RateLimitError: AnthropicException - rate_limit_error\nThe API provider has rate limited you. Try again later or check your quotas.\n',
    ),
    outcome: 'transient',
    reason: /rate limit/,
  },
  {
    name: 'aider rate limit that recovered',
    tool: 'aider',
    result: exited(
      0,
      'litellm.RateLimitError: x\nThe API provider has rate limited you. Try again later or check your quotas.\nRetrying in 0.2 seconds...\nDone.\nTokens: 1k sent, 10 received.\n',
    ),
    outcome: 'success',
  },
  {
    name: 'aider auth',
    tool: 'aider',
    result: exited(
      0,
      'litellm.AuthenticationError: AnthropicException - invalid x-api-key\nThe API provider is not able to authenticate you. Check your API key.\n',
    ),
    outcome: 'auth',
    reason: /authentication/,
  },
  {
    name: 'aider unknown flag',
    tool: 'aider',
    result: exited(2, '', 'usage: aider [-h] ...\naider: error: unrecognized arguments: --no-editor --foo\n'),
    outcome: 'permanent',
    reason: /^aider rejected the flags --no-editor --foo: remove them/,
  },
  // git
  {
    name: 'git index.lock',
    tool: 'git',
    result: exited(
      128,
      '',
      "fatal: Unable to create '/r/.git/index.lock': File exists.\n\nAnother git process seems to be running in this repository\n",
    ),
    outcome: 'transient',
    reason: /^index\.lock/,
  },
  {
    name: 'git offline',
    tool: 'git',
    result: exited(
      128,
      '',
      "fatal: unable to access 'https://github.com/x/y/': Could not resolve host: github.com\n",
    ),
    outcome: 'transient',
    reason: /network/,
  },
  {
    name: 'git ssh key refused',
    tool: 'git',
    result: exited(
      128,
      '',
      'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n',
    ),
    outcome: 'permanent',
    reason: /authentication/,
  },
  {
    name: 'git merge conflict (unknown)',
    tool: 'git',
    result: exited(
      1,
      'CONFLICT (content): Merge conflict in a.txt\n',
      'Automatic merge failed; fix conflicts and then commit the result.\n',
    ),
    outcome: 'permanent',
    reason: /exit code 1: Automatic merge failed/,
  },
];
