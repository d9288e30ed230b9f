import { describe, expect, it } from '@jest/globals';
import { continuationPrompt, failureReason, renderSummary } from './report.js';
import type { GateResult } from './types.js';

const result: GateResult = {
  repo: '/r',
  passed: false,
  steps: [
    {
      name: 'ruff-format',
      status: 'passed',
      durationMs: 300,
      exitCode: 0,
      failures: [],
      log: '/r/logs/quality/r/ruff-format.log',
    },
    {
      name: 'ruff-check',
      status: 'failed',
      durationMs: 250,
      exitCode: 1,
      failures: Array.from({ length: 30 }, (_, i) => `m${i}.py:1:8 F401 \`os\` imported but unused`),
      log: '/r/logs/quality/r/ruff-check.log',
    },
    {
      name: 'pytest',
      status: 'failed',
      durationMs: 2000,
      exitCode: 2,
      failures: [],
      log: '/r/logs/quality/r/pytest.log',
      tail: ['ImportError: no module named calc'],
    },
    {
      name: 'pester',
      status: 'skipped',
      durationMs: 0,
      exitCode: null,
      failures: [],
      log: null,
      note: 'pwsh not found (install PowerShell 7)',
    },
  ],
};

describe('the gate report', () => {
  it('prints each step, what failed in the tools terms, skips with their reason, and the verdict', () => {
    const text = renderSummary(result, { cwd: '/r', maxPerStep: 2 });
    expect(text).toContain('quality: ruff-check FAILED in 0.3 s log: logs/quality/r/ruff-check.log');
    expect(text).toContain('  m0.py:1:8 F401 `os` imported but unused\n  m1.py:1:8');
    expect(text).toContain('  … and 28 more (see the log)');
    expect(text).toContain('  | ImportError: no module named calc');
    expect(text).toContain('quality: pester skipped: pwsh not found (install PowerShell 7)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('quality: FAILED (ruff-check, pytest)');
  });

  it('gives a task a one-line reason naming every failed step', () => {
    expect(failureReason(result)).toBe(
      'quality gate failed: ruff-check: m0.py:1:8 F401 `os` imported but unused; m1.py:1:8 F401 `os` imported but unused; m2.py:1:8 F401 `os` imported but unused; +27 more | pytest: exit code 2',
    );
  });

  it('builds a bounded continuation prompt: first lines of each failed step and the log paths', () => {
    const prompt = continuationPrompt(result, { round: 1, maxRounds: 2, maxLinesPerStep: 5 });
    expect(prompt).toContain('verify round 1 of 2');
    expect(prompt).toContain('ruff-check failed (exit code 1):\n- m0.py:1:8');
    expect(prompt).toContain('- … and 25 more');
    expect(prompt).not.toContain('m5.py');
    expect(prompt).toContain('pytest failed (exit code 2):\n- ImportError: no module named calc');
    expect(prompt).toContain(
      'Full logs:\n- ruff-check: /r/logs/quality/r/ruff-check.log\n- pytest: /r/logs/quality/r/pytest.log',
    );
    expect(prompt).not.toContain('pester');
    const tiny = continuationPrompt(result, { round: 2, maxRounds: 2, maxLinesPerStep: 30, maxChars: 600 });
    expect(tiny.length).toBeLessThanOrEqual(600);
    expect(tiny).toContain('(cut; see the logs)');
    expect(tiny).toContain('- pytest: /r/logs/quality/r/pytest.log');
  });
});
