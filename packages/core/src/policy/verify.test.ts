import { describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '../config/schema.js';
import type { GateResult } from '../repo-quality/types.js';
import type { VerifyRound } from '../task/result.js';
import { decideVerify, pendingVerifyPrompt, roundsSoFar, verifyLine, verifyWanted } from './verify.js';

const policy = PoliciesConfig.parse({}).verify;

const failing: GateResult = {
  repo: '/r',
  passed: false,
  steps: [
    {
      name: 'ruff-check',
      status: 'passed',
      durationMs: 5,
      exitCode: 0,
      failures: [],
      log: '/l/ruff-check.log',
    },
    {
      name: 'pytest',
      status: 'failed',
      durationMs: 9,
      exitCode: 1,
      failures: ['tests/test_calc.py::test_add', 'tests/test_calc.py::test_sub'],
      log: '/l/pytest.log',
    },
  ],
};
const passing: GateResult = { repo: '/r', passed: true, steps: [failing.steps[0]!] };

const round = (n: number, attempt: number, passed = false): VerifyRound => ({
  round: n,
  attempt,
  passed,
  failed: passed ? [] : ['pytest'],
  failures: [],
  logs: [],
  ...(passed ? {} : { prompt: `fix round ${n}` }),
});

describe('verifyWanted', () => {
  it("takes the task's field over the tool's, and false turns it off", () => {
    expect(verifyWanted({}, { verify: false })).toBeUndefined();
    expect(verifyWanted({}, { verify: true })).toBe(true);
    expect(verifyWanted({ verify: ['pytest'] }, { verify: true })).toEqual(['pytest']);
    expect(verifyWanted({ verify: false }, { verify: true })).toBeUndefined();
    expect(verifyWanted({ verify: true }, undefined)).toBe(true);
  });
});

describe('decideVerify', () => {
  it('a passing gate: done, the round on record', () => {
    const v = decideVerify({ gate: passing, attempt: 1, previous: [], policy });
    expect(v).toEqual({
      next: 'done',
      round: { round: 1, attempt: 1, passed: true, failed: [], failures: [], logs: [] },
    });
  });

  it('a failing gate with rounds left: again, with a prompt made of the failures and the log paths', () => {
    const v = decideVerify({ gate: failing, attempt: 1, previous: [], policy });
    expect(v.next).toBe('again');
    expect(v.round).toMatchObject({
      round: 1,
      passed: false,
      failed: ['pytest'],
      failures: ['pytest: tests/test_calc.py::test_add', 'pytest: tests/test_calc.py::test_sub'],
      logs: ['/l/pytest.log'],
    });
    expect(v.round.prompt).toMatch(/verify round 2 of 2/);
    expect(v.round.prompt).toContain('tests/test_calc.py::test_add');
    expect(v.round.prompt).toContain('/l/pytest.log');
    expect(v.next === 'again' && v.reason).toMatch(/^quality gate failed: pytest: .*verify round 1 of 2/);
  });

  it('bounds the prompt: the first linesPerStep lines per step, maxPromptChars in all', () => {
    const many: GateResult = {
      ...failing,
      steps: [{ ...failing.steps[1]!, failures: Array.from({ length: 400 }, (_, i) => `t.py::test_${i}`) }],
    };
    const v = decideVerify({
      gate: many,
      attempt: 1,
      previous: [],
      policy: { ...policy, linesPerStep: 3, maxPromptChars: 800 },
    });
    expect(v.round.failures).toHaveLength(3);
    expect(v.round.prompt!.length).toBeLessThanOrEqual(800);
    expect(v.round.prompt).toContain('t.py::test_2');
    expect(v.round.prompt).not.toContain('t.py::test_3');
  });

  it('the last round failing: attention, no prompt, the work kept', () => {
    const v = decideVerify({ gate: failing, attempt: 2, previous: [round(1, 1)], policy });
    expect(v.next).toBe('attention');
    expect(v.round).toMatchObject({ round: 2, attempt: 2, passed: false });
    expect(v.round.prompt).toBeUndefined();
    expect(v.next === 'attention' && v.reason).toMatch(/verify round 2 of 2, none left; the work is kept/);
  });

  it('a gate that cannot run: attention with why', () => {
    const v = decideVerify({ gate: { error: 'unknown step "lint"' }, attempt: 1, previous: [], policy });
    expect(v).toMatchObject({
      next: 'attention',
      reason: 'the quality gate could not run: unknown step "lint"',
    });
    expect(verifyLine(v.round)).toEqual({ round: 1, passed: false, error: 'unknown step "lint"' });
  });
});

describe('roundsSoFar', () => {
  it('the failed rounds of this run of the loop, each before the next', () => {
    expect(roundsSoFar(undefined, 1)).toEqual([]);
    expect(roundsSoFar([round(1, 1)], 2)).toEqual([round(1, 1)]);
    // A failure retry between rounds keeps the series (attempt 2 failed, attempt 3 is round 2's run).
    expect(roundsSoFar([round(1, 1)], 3)).toEqual([round(1, 1)]);
  });

  it("starts over after a person's retry (attempt numbers restart) and after a passed round", () => {
    expect(roundsSoFar([round(1, 1), round(2, 2)], 1)).toEqual([]);
    expect(roundsSoFar([round(1, 1), round(2, 2, true)], 3)).toEqual([]);
  });
});

describe('pendingVerifyPrompt', () => {
  it("is the last round's prompt when the last attempt that ran is that round's successful one", () => {
    const rounds = [round(1, 1)];
    expect(pendingVerifyPrompt(rounds, [{ attempt: 1, outcome: 'success' }])).toBe('fix round 1');
    // A breaker refusal ran nothing: it does not count.
    expect(
      pendingVerifyPrompt(rounds, [
        { attempt: 1, outcome: 'success' },
        { attempt: 2, outcome: 'breaker-open' },
      ]),
    ).toBe('fix round 1');
  });

  it('is nothing after another attempt ran (a crash, a timeout), after a pass, or without rounds', () => {
    const history = [
      { attempt: 1, outcome: 'success' as const },
      { attempt: 2, outcome: 'interrupted' as const },
    ];
    expect(pendingVerifyPrompt([round(1, 1)], history)).toBeUndefined();
    expect(pendingVerifyPrompt([round(1, 1, true)], [{ attempt: 1, outcome: 'success' }])).toBeUndefined();
    expect(pendingVerifyPrompt(undefined, [{ attempt: 1, outcome: 'success' }])).toBeUndefined();
  });
});
