import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig } from '../config/schema.js';
import { classifyAttempt } from './classify.js';
import { buildCommand } from './command.js';
import { parseQualityJson } from './quality-output.js';

const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const quality = tools['quality'];
if (!quality) throw new Error('no built-in quality tool');
const REPO = path.resolve('/work/repo');
const self = { node: '/opt/node/bin/node', headlessBin: '/opt/headless/packages/cli/dist/bin.js' };
const task = { id: 'q1', args: ['--only', 'pytest'], files: [], flags: [], repo: REPO };

describe('the built-in quality tool', () => {
  it('runs this node with headless own CLI: quality --repo <repo> --root <root> --json <args>', () => {
    const built = buildCommand('quality', quality, task, { scratchDir: '/tmp/s', root: '/work/root', self });
    expect(built.executable).toBe('/opt/node/bin/node');
    expect(built.args).toEqual([
      '/opt/headless/packages/cli/dist/bin.js',
      'quality',
      '--repo',
      REPO,
      '--root',
      '/work/root',
      '--json',
      '--only',
      'pytest',
    ]);
  });

  it('drops --root when the caller gives none (the gate then logs under the repo)', () => {
    const built = buildCommand('quality', quality, { ...task, args: [] }, { scratchDir: '/tmp/s', self });
    expect(built.args).toEqual([self.headlessBin, 'quality', '--repo', REPO, '--json']);
  });

  it('defaults {node} to this node and {headless} to the built CLI script', () => {
    const built = buildCommand('quality', quality, task, { scratchDir: '/tmp/s' });
    expect(built.executable).toBe(process.execPath);
    expect(built.args[0]).toMatch(/packages[\\/]cli[\\/]dist[\\/]bin\.js$/);
  });

  const gate = (passed: boolean) =>
    JSON.stringify(
      {
        repo: REPO,
        passed,
        steps: [
          {
            name: 'ruff-check',
            status: passed ? 'passed' : 'failed',
            durationMs: 5,
            exitCode: passed ? 0 : 1,
            failures: passed ? [] : ['a.py:1:8 F401 `os` imported but unused'],
            log: '/l',
          },
        ],
      },
      null,
      2,
    );

  it('classifies a failed gate as permanent with the findings as the reason, a passed one as success', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const failed = classifyAttempt(
      'quality',
      quality,
      {
        exitCode: 1,
        signal: null,
        endReason: 'exited',
        stdout: gate(false),
        stderr: 'quality: ruff-check ...',
      },
      now,
    );
    expect(failed).toMatchObject({
      outcome: 'permanent',
      retryable: false,
      reason: 'quality gate failed: ruff-check: a.py:1:8 F401 `os` imported but unused',
    });
    const passed = classifyAttempt(
      'quality',
      quality,
      { exitCode: 0, signal: null, endReason: 'exited', stdout: gate(true), stderr: '' },
      now,
    );
    expect(passed.outcome).toBe('success');
    const usage = classifyAttempt(
      'quality',
      quality,
      { exitCode: 2, signal: null, endReason: 'exited', stdout: '', stderr: 'headless: unknown step "x"' },
      now,
    );
    expect(usage).toMatchObject({ outcome: 'permanent', reason: 'exit code 2: headless: unknown step "x"' });
  });

  it('reads nothing from output that is not the gate JSON', () => {
    expect(parseQualityJson('')).toEqual({});
    expect(parseQualityJson('{"passed": "yes"}')).toEqual({});
    expect(parseQualityJson('{ not json')).toEqual({});
  });
});
