import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promptMatcher } from '../tool/input-prompts.js';
import { makeRunner, RUNNER_KINDS } from './runner-kit.js';
import { nodeEnv, tempDir } from './test-kit.js';
import type { ProcessRunner, RunRequest } from './types.js';

let runner: ProcessRunner;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const isPrompt = promptMatcher({ inputPatterns: [], builtinInputPatterns: true });

function node(script: string, extra: Partial<RunRequest> = {}): RunRequest {
  return {
    executable: 'node',
    args: ['-e', script],
    cwd: dir,
    env: nodeEnv(),
    // Long enough that only the prompt detection can end these runs early.
    timeoutMs: 60000,
    idleTimeoutMs: 60000,
    killGraceMs: 300,
    ...extra,
  };
}

describe.each(RUNNER_KINDS)('process runner: prompts and spend caps (%s)', (kind) => {
  beforeAll(() => {
    runner = makeRunner(kind);
  });
  afterAll(() => runner.close?.());

  it('ends a run whose last line is a prompt without a newline, after the partial-line wait', async () => {
    const r = await runner.run(
      node("process.stdout.write('Continue? [y/N] '); setInterval(() => {}, 1000)", {
        ...(isPrompt ? { isPrompt } : {}),
        partialLineMs: 300,
      }),
    );
    expect(r.endReason).toBe('blocked-on-input');
    expect(r.endDetail).toBe('Continue? [y/N] ');
    expect(r.survivors).toEqual([]);
  });

  it('ends a run at a complete prompt line at once', async () => {
    const r = await runner.run(
      node("console.log('Password:'); setInterval(() => {}, 1000)", { ...(isPrompt ? { isPrompt } : {}) }),
    );
    expect(r.endReason).toBe('blocked-on-input');
    expect(r.endDetail).toBe('Password:');
  });

  it('leaves a run alone that only mentions a prompt, or prints it inside JSON', async () => {
    const r = await runner.run(
      node(
        `console.log('the installer asks "Continue? [y/N]" first');` +
          `console.log(JSON.stringify({ result: 'Do you want to keep it?' }));` +
          `process.stdout.write('50%'); setTimeout(() => process.exit(0), 700)`,
        { ...(isPrompt ? { isPrompt } : {}), partialLineMs: 200 },
      ),
    );
    expect(r.endReason).toBe('exited');
    expect(r.exitCode).toBe(0);
  });

  it('ends a run when the spend check returns a reason', async () => {
    const r = await runner.run(
      node("let i = 0; setInterval(() => console.log('cost ' + (++i)), 20)", {
        overBudget: (_stream, line) => (line === 'cost 3' ? 'budget: over' : undefined),
      }),
    );
    expect(r.endReason).toBe('budget');
    expect(r.endDetail).toBe('budget: over');
  });
});
