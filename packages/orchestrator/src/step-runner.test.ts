import { afterEach, describe, expect, it } from '@jest/globals';
import { systemClock } from '@headless/core/clock';
import { PoliciesConfig, ToolsConfig, type LoopStep } from '@headless/core/config/schema';
import { ToolBreakers } from '@headless/core/policy/tool-breakers';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { runStep, stepTimeouts, type StepContext } from './step-runner.js';
import { recordingRunner } from './test-kit.js';

const tools = ToolsConfig.parse({
  tools: {
    node: {
      executable: process.execPath,
      argv: ['{args}'],
      exitCodes: { '75': 'transient' },
      env: { SECRET_TOKEN: 'hunter2-value' },
    },
    ghost: { executable: 'definitely-not-installed-anywhere' },
  },
});
const policies = PoliciesConfig.parse({
  retry: { maxAttempts: 3, baseDelayMs: 20, jitter: 'none' },
  breaker: { failures: 2, windowSec: 60, openSec: 600 },
  shutdown: { graceSec: 2 },
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function context(over: Partial<StepContext> = {}): Promise<StepContext & { lines: string[] }> {
  const { root, cleanup } = await makeTempRoot('headless-step-');
  cleanups.push(cleanup);
  const lines: string[] = [];
  return {
    id: 'loop:T:.:1',
    repoDir: root,
    tools,
    policies,
    runner: recordingRunner().runner,
    breakers: new ToolBreakers(policies.breaker),
    clock: systemClock,
    signal: new AbortController().signal,
    scratchDir: `${root}/scratch`,
    maxRetryWaitMs: 60_000,
    sink: { line: (_s, t) => void lines.push(t), started: () => undefined, finished: () => undefined },
    lines,
    ...over,
  };
}

const node = (code: string, extra: Partial<LoopStep> = {}): LoopStep => ({
  tool: 'node',
  args: ['-e', code],
  ...extra,
});

describe('runStep', () => {
  it('retries a transient failure within the run up to retry.maxAttempts', async () => {
    const { runner, calls } = recordingRunner();
    const ctx = await context({ runner, breakers: new ToolBreakers({ ...policies.breaker, failures: 10 }) });
    const result = await runStep(node('process.exit(75)'), ctx);
    expect(result).toMatchObject({ status: 'failed', attempts: 3, outcome: 'transient' });
    expect(calls).toHaveLength(3);
    expect(ctx.lines.filter((l) => l.includes('retrying in'))).toHaveLength(2);
  });

  it('does not retry a permanent failure', async () => {
    const ctx = await context();
    const result = await runStep(node('console.error("bad args"); process.exit(3)'), ctx);
    expect(result).toMatchObject({ status: 'failed', attempts: 1, outcome: 'permanent' });
    expect(ctx.lines).toContain('bad args');
  });

  it('leaves a retry that would wait past the next run to that run', async () => {
    const ctx = await context({ maxRetryWaitMs: 5 });
    const result = await runStep(node('process.exit(75)'), ctx);
    expect(result).toMatchObject({ status: 'failed', attempts: 1 });
    expect(result.status === 'failed' && result.reason).toMatch(/later than the next run/);
  });

  it('stops retrying when the failures open the tool breaker', async () => {
    const ctx = await context();
    expect(await runStep(node('process.exit(75)'), ctx)).toMatchObject({ status: 'skipped', attempts: 2 });
  });

  it('skips the step while its tool breaker is open, and a wrong step does not open it', async () => {
    const breakers = new ToolBreakers(policies.breaker);
    const ctx = await context({
      breakers,
      policies: PoliciesConfig.parse({ ...policies, retry: { maxAttempts: 1 } }),
    });
    for (let i = 0; i < 3; i++) expect((await runStep(node('process.exit(3)'), ctx)).status).toBe('failed');
    expect(breakers.view('node').state).toBe('closed');
    for (let i = 0; i < 2; i++) expect((await runStep(node('process.exit(75)'), ctx)).status).toBe('failed');
    const skipped = await runStep(node('process.exit(0)'), ctx);
    expect(skipped).toMatchObject({ status: 'skipped', attempts: 0 });
    expect(skipped.status === 'skipped' && skipped.reason).toMatch(
      /circuit breaker for tool "node" is open until /,
    );
  });

  it('ends a step at its timeout', async () => {
    const ctx = await context();
    const t0 = Date.now();
    const result = await runStep(node('setTimeout(() => {}, 60000)', { timeoutSec: 1 }), {
      ...ctx,
      policies: PoliciesConfig.parse({ ...policies, retry: { maxAttempts: 1 } }),
    });
    expect(result).toMatchObject({ status: 'failed', outcome: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('fails clearly for a missing program or an unknown tool', async () => {
    const ctx = await context();
    const missing = await runStep({ tool: 'ghost', args: [] }, ctx);
    expect(missing).toMatchObject({ status: 'failed', outcome: 'not-found' });
    const unknown = await runStep({ tool: 'nope', args: [] }, ctx);
    expect(unknown.status === 'failed' && unknown.reason).toMatch(
      /tool "nope" is not defined in config\/tools.json/,
    );
  });

  it('passes the tool env but redacts secret values from the loop log', async () => {
    const ctx = await context();
    const result = await runStep(
      node('console.log("token=" + process.env.SECRET_TOKEN); console.log(process.env.HOME ? "home" : "")'),
      ctx,
    );
    expect(result.status).toBe('ok');
    expect(ctx.lines).toContain('token=***');
    expect(ctx.lines.join('\n')).not.toContain('hunter2-value');
  });
});

describe('step policies', () => {
  it('takes the step timeout, else the tool one, else the worker default; idle never beyond it', () => {
    const tool = tools.tools['node']!;
    expect(stepTimeouts({ tool: 'node', args: [], timeoutSec: 7 }, tool, policies)).toEqual({
      timeoutMs: 7000,
      idleTimeoutMs: 7000,
    });
    expect(
      stepTimeouts({ tool: 'node', args: [] }, { ...tool, timeoutSec: 90, idleTimeoutSec: 30 }, policies),
    ).toEqual({
      timeoutMs: 90_000,
      idleTimeoutMs: 30_000,
    });
    expect(stepTimeouts({ tool: 'node', args: [] }, tool, policies)).toEqual({
      timeoutMs: 1_800_000,
      idleTimeoutMs: 600_000,
    });
  });
});
