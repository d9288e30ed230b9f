import { describe, expect, it } from '@jest/globals';
import { breakerVerdict } from './breaker-verdict.js';

describe('breakerVerdict', () => {
  it.each([
    ['success', 'ok', undefined],
    ['transient', 'rate limit', 'rate limit'],
    ['timeout', 'timed out after 30 s', 'timed out after 30 s'],
    ['stalled', 'no output for 600 s', 'no output for 600 s'],
    ['permanent', 'authentication failed: Invalid API key', 'authentication failed: Invalid API key'],
    ['permanent', 'billing: Credit balance is too low', 'billing: Credit balance is too low'],
    ['permanent', 'codex rejected the flag --non-interactive: remove it', null],
    ['permanent', 'exit code 1: error: pathspec did not match', null],
    ['not-found', 'codex not found on PATH', null],
    ['interrupted', 'aborted', null],
    ['auth', 'authentication: run claude /login', 'authentication: run claude /login'],
    ['blocked_on_input', 'blocked on input: claude asked "Continue? [y/N]"', null],
    ['suspect', 'claude was denied 1 tool call(s)', null],
    ['budget', 'budget: $1.02 spent by this attempt', null],
  ] as const)('%s (%s) -> %p', (outcome, reason, expected) => {
    expect(breakerVerdict({ outcome, reason })).toBe(expected);
  });
});
