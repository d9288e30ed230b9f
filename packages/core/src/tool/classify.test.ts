import { describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig, ToolSpec } from '../config/schema.js';
import { classifyAttempt, invalidPatterns, rejectedFlag, type AttemptResultInput } from './classify.js';

const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const now = new Date(2026, 10, 20, 9, 30, 0); // local time: reset texts are local

function spec(name: string, patch: Partial<ToolSpec> = {}): ToolSpec {
  const t = tools[name];
  if (!t) throw new Error(name);
  return { ...t, ...patch };
}

function exited(exitCode: number, stdout: string, stderr = ''): AttemptResultInput {
  return { exitCode, signal: null, endReason: 'exited', stdout, stderr };
}

const claudeResult = (fields: Record<string, unknown>) =>
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

const codexLines = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

const geminiError = (code: number, message: string) =>
  JSON.stringify({ session_id: 'g1', error: { type: 'Error', message, code } }, null, 2);

interface Row {
  name: string;
  tool: string;
  result: AttemptResultInput;
  outcome: string;
  reason?: RegExp;
  resetAt?: Date;
}

const table: Row[] = [
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

describe('classifyAttempt on real outputs', () => {
  it.each(table)('$name -> $outcome', ({ tool, result, outcome, reason, resetAt }) => {
    const c = classifyAttempt(tool, spec(tool), result, now);
    expect(c.outcome).toBe(outcome);
    expect(c.retryable).toBe(outcome === 'transient');
    if (reason) expect(c.reason).toMatch(reason);
    if (resetAt) expect(c.resetAt).toBe(resetAt.toISOString());
    else expect(c.resetAt).toBeUndefined();
  });
});

describe('classifyAttempt: how the attempt ended', () => {
  const base = { exitCode: null, signal: 'SIGTERM', stdout: '', stderr: '' } as const;

  it('reports a missing executable as permanent, naming the config key', () => {
    const c = classifyAttempt('codex', spec('codex'), { ...base, endReason: 'not-found' }, now);
    expect(c).toEqual({
      outcome: 'not-found',
      retryable: false,
      reason:
        'codex not found on PATH: install it or set its executable in config/tools.json (tools.codex.executable)',
    });
  });

  it('retries timeouts, stalls and interruptions', () => {
    expect(classifyAttempt('claude', spec('claude'), { ...base, endReason: 'timeout' }, now)).toMatchObject({
      outcome: 'timeout',
      retryable: true,
    });
    expect(classifyAttempt('claude', spec('claude'), { ...base, endReason: 'idle' }, now)).toMatchObject({
      outcome: 'stalled',
      retryable: true,
    });
    expect(classifyAttempt('claude', spec('claude'), { ...base, endReason: 'aborted' }, now)).toMatchObject({
      outcome: 'interrupted',
      retryable: true,
    });
  });

  it('says why a timed-out attempt went nowhere when its output shows it', () => {
    const stdout = codexLines({
      type: 'error',
      message: 'Reconnecting... 3/5 (stream disconnected before completion)',
    });
    const c = classifyAttempt('codex', spec('codex'), { ...base, endReason: 'timeout', stdout }, now);
    expect(c.outcome).toBe('timeout');
    expect(c.reason).toMatch(/its output shows: network/);
  });

  it('treats a spawn error as permanent unless the machine was out of resources', () => {
    const bad = classifyAttempt(
      'node',
      spec('node'),
      { ...base, endReason: 'spawn-error', error: 'spawn EACCES' },
      now,
    );
    expect(bad).toMatchObject({ outcome: 'permanent', retryable: false });
    const busy = classifyAttempt(
      'node',
      spec('node'),
      { ...base, endReason: 'spawn-error', error: 'spawn EAGAIN' },
      now,
    );
    expect(busy).toMatchObject({ outcome: 'transient', retryable: true });
  });

  it('retries a process killed from outside', () => {
    const c = classifyAttempt('node', spec('node'), { ...base, signal: 'SIGKILL', endReason: 'exited' }, now);
    expect(c).toMatchObject({ outcome: 'transient', reason: 'node was killed by SIGKILL' });
  });
});

describe('classifyAttempt: what a success carries', () => {
  it('extracts claude usage, cost and session id', () => {
    const c = classifyAttempt('claude', spec('claude'), exited(0, claudeResult({})), now);
    expect(c).toMatchObject({
      outcome: 'success',
      sessionId: 'sess-1',
      usage: { inputTokens: 12, outputTokens: 5, costUsd: 0.000148 },
    });
    expect(c.suspect).toBeUndefined();
  });

  it('marks a claude success with permission denials as suspect', () => {
    const denials = [{ tool_name: 'Write', tool_use_id: 'x', tool_input: {} }];
    const c = classifyAttempt(
      'claude',
      spec('claude'),
      exited(0, claudeResult({ permission_denials: denials })),
      now,
    );
    // tools.claude.onSuspect defaults to attention: held for a person, not done, not retried.
    expect(c).toMatchObject({ outcome: 'suspect', retryable: false });
    expect(c.suspect).toMatch(/denied 1 tool call\(s\) \(Write\).*--allowedTools/);
    expect(c.reason).toBe(c.suspect);
    const asDone = classifyAttempt(
      'claude',
      spec('claude', { onSuspect: 'done' }),
      exited(0, claudeResult({ permission_denials: denials })),
      now,
    );
    expect(asDone.outcome).toBe('success');
    expect(asDone.suspect).toMatch(/denied/);
    const asFailed = classifyAttempt(
      'claude',
      spec('claude', { onSuspect: 'failed' }),
      exited(0, claudeResult({ permission_denials: denials })),
      now,
    );
    expect(asFailed).toMatchObject({ outcome: 'permanent', retryable: false });
  });

  it('marks a claude exit 0 without a result line as suspect', () => {
    const c = classifyAttempt('claude', spec('claude'), exited(0, 'some text\n'), now);
    expect(c.outcome).toBe('suspect');
    expect(c.suspect).toMatch(/no JSON result line/);
  });

  it('extracts codex usage summed over turns and the thread id', () => {
    const stdout = codexLines(
      { type: 'thread.started', thread_id: 'th-9' },
      { type: 'turn.completed', usage: { input_tokens: 10, output_tokens: 3 } },
      { type: 'turn.completed', usage: { input_tokens: 5, output_tokens: 2 } },
    );
    expect(classifyAttempt('codex', spec('codex'), exited(0, stdout), now)).toMatchObject({
      sessionId: 'th-9',
      usage: { inputTokens: 15, outputTokens: 5 },
    });
  });

  it('extracts gemini token stats and aider tokens and cost', () => {
    const g = JSON.stringify({
      session_id: 'g1',
      response: 'hi',
      stats: { models: { a: { tokens: { input: 24, candidates: 10 } } } },
    });
    expect(classifyAttempt('gemini', spec('gemini'), exited(0, `warning: x\n${g}`), now)).toMatchObject({
      sessionId: 'g1',
      usage: { inputTokens: 24, outputTokens: 10 },
    });
    const a =
      'Tokens: 2.1k sent, 150 received. Cost: $0.01 message, $0.01 session.\nTokens: 1k sent, 50 received. Cost: $0.02 message, $0.03 session.\n';
    expect(classifyAttempt('aider', spec('aider'), exited(0, a), now).usage).toEqual({
      inputTokens: 3100,
      outputTokens: 200,
      costUsd: 0.03,
    });
  });
});

describe('classifyAttempt with a custom tool', () => {
  const custom = ToolSpec.parse({
    executable: 'x',
    exitCodes: { '3': 'transient' },
    patterns: [
      { pattern: 'busy', class: 'transient', reason: 'busy' },
      { pattern: 'busy|broken', class: 'permanent', reason: 'broken' },
    ],
  });

  it('takes the first matching pattern', () => {
    expect(classifyAttempt('x', custom, exited(1, 'busy'), now)).toMatchObject({
      outcome: 'transient',
      reason: 'busy',
    });
    expect(classifyAttempt('x', custom, exited(1, 'broken'), now)).toMatchObject({
      outcome: 'permanent',
      reason: 'broken',
    });
  });

  it('lets a known exit code decide before patterns and falls back to unknownFailure', () => {
    expect(classifyAttempt('x', custom, exited(3, 'broken'), now).outcome).toBe('transient');
    expect(classifyAttempt('x', custom, exited(9, 'nothing known', 'last words'), now)).toMatchObject({
      outcome: 'permanent',
      reason: 'exit code 9: last words',
    });
  });

  it('reports patterns that do not compile', () => {
    const bad = ToolSpec.parse({
      executable: 'x',
      patterns: [{ pattern: '(unclosed', class: 'transient', reason: 'r' }],
    });
    expect(invalidPatterns({ x: bad })).toEqual(['tools.x.patterns[0]: (unclosed']);
    expect(invalidPatterns(tools)).toEqual([]);
    expect(classifyAttempt('x', bad, exited(1, '(unclosed'), now).outcome).toBe('permanent');
  });
});

describe('rejectedFlag', () => {
  it('finds nothing in ordinary errors', () => {
    expect(rejectedFlag('x', 'fatal: not a git repository')).toBeUndefined();
  });
  it('names short yargs flags with one dash', () => {
    expect(rejectedFlag('gemini', 'Unknown argument: q')).toMatch(/the flag -q:/);
  });
});

describe('final messages', () => {
  it("keeps claude's result, codex's last agent message and gemini's response", () => {
    expect(
      classifyAttempt('claude', spec('claude'), exited(0, claudeResult({ result: 'Done: wrote a.ts' })), now)
        .finalMessage,
    ).toBe('Done: wrote a.ts');
    const codex = codexLines(
      { type: 'thread.started', thread_id: 't1' },
      { type: 'item.completed', item: { type: 'agent_message', text: 'first' } },
      { type: 'item.completed', item: { type: 'reasoning', text: 'thinking' } },
      { type: 'item.completed', item: { type: 'agent_message', text: 'All tests pass.' } },
      { type: 'turn.completed', usage: { input_tokens: 1, output_tokens: 1 } },
    );
    expect(classifyAttempt('codex', spec('codex'), exited(0, codex), now).finalMessage).toBe(
      'All tests pass.',
    );
    const gemini = JSON.stringify({ session_id: 'g', response: 'Here is the plan.', stats: {} });
    expect(classifyAttempt('gemini', spec('gemini'), exited(0, gemini), now).finalMessage).toBe(
      'Here is the plan.',
    );
  });

  it('keeps the start of a huge final message', () => {
    const c = classifyAttempt(
      'claude',
      spec('claude'),
      exited(0, claudeResult({ result: 'x'.repeat(20_000) })),
      now,
    );
    expect(c.finalMessage?.length).toBe(16_000);
    expect(c.finalMessage?.endsWith('…')).toBe(true);
  });
});
