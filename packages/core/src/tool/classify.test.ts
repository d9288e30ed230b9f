import { describe, expect, it } from '@jest/globals';
import { classifyAttempt, invalidPatterns, rejectedFlag } from './classify.js';
import { ToolSpec } from '../config/schema.js';
import { claudeResult, codexLines, exited, now, spec, table, tools } from './classify.cases.js';

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

  it('retries an attempt whose spawner died, as interrupted (not a failure of the tool), naming why', () => {
    const error = 'the spawner process (pid 42, which starts tools for the worker) was killed (SIGKILL)';
    const c = classifyAttempt('claude', spec('claude'), { ...base, endReason: 'runner-lost', error }, now);
    expect(c).toEqual({ outcome: 'interrupted', retryable: true, reason: `claude was cut short: ${error}` });
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
