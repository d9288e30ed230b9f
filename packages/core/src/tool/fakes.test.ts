import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig, type ToolSpec } from '../config/schema.js';
import { classifyAttempt, type Classification } from './classify.js';
import { buildCommand, type CommandTask } from './command.js';
import { findExecutableOnHost } from './find-executable.js';
import { FAKES_BY_PATH, posixOnly } from '../platform-kit.js';

// The fake CLIs live in test-support; core cannot depend on that package, so find them by path
// (this file runs as packages/core/dist/tool/fakes.test.js).
const FAKES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-support/fakes');
const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const AI_TOOLS = ['claude', 'codex', 'gemini', 'aider'] as const;

let dir: string;
let record: string;

beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'fakes-test-')));
  record = path.join(dir, 'record.jsonl');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function spec(name: string, patch: Partial<ToolSpec> = {}): ToolSpec {
  const base = tools[name];
  if (!base) throw new Error(name);
  // aider without a model waits for a browser login: give it one, as docs/tools.md tells users to.
  return { ...base, ...(name === 'aider' ? { model: 'fake-model' } : {}), ...patch };
}

async function runFake(
  name: string,
  task: Partial<CommandTask>,
  env: Record<string, string> = {},
): Promise<{ c: Classification; args: string[]; input: string | undefined }> {
  const tool = spec(name);
  const full: CommandTask = { id: `t-${name}`, args: [], files: [], flags: [], repo: dir, ...task };
  const built = buildCommand(name, tool, full, { scratchDir: dir });
  for (const file of built.files) await fs.writeFile(file.path, file.content);
  const childEnv = {
    PATH: `${FAKES_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: dir,
    FAKE_RECORD: record,
    ...tool.env,
    ...env,
  };
  const executable = findExecutableOnHost(built.executable, childEnv, dir);
  expect(executable).toBe(path.join(FAKES_DIR, name));
  const result = await execa(executable!, built.args, {
    cwd: dir,
    env: childEnv,
    extendEnv: false,
    reject: false,
    windowsHide: true,
    timeout: 15000,
    // The runner's rule: stdin is either closed or fed and closed.
    ...(built.input === undefined ? { stdin: 'ignore' as const } : { input: built.input }),
  });
  const c = classifyAttempt(
    name,
    tool,
    {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      endReason: result.timedOut ? 'timeout' : 'exited',
      stdout: String(result.stdout),
      stderr: String(result.stderr),
    },
    new Date(),
  );
  return { c, args: built.args, input: built.input };
}

posixOnly(FAKES_BY_PATH).describe('the fake CLIs run with the default command lines', () => {
  it.each(AI_TOOLS)('%s: ok is a success', async (name) => {
    const { c } = await runFake(name, { prompt: 'SCENARIO: ok\nsay hi' });
    expect(c).toMatchObject({ outcome: 'success', retryable: false });
    expect(c.suspect).toBeUndefined();
  });

  it.each(AI_TOOLS)('%s: auth needs a person (not retried)', async (name) => {
    const { c } = await runFake(name, { prompt: 'SCENARIO: auth' });
    expect(c).toMatchObject({ outcome: 'auth', retryable: false });
    expect(c.reason).toMatch(/auth/i);
  });

  it.each(AI_TOOLS)('%s: rate-limit is transient', async (name) => {
    const { c } = await runFake(name, { prompt: 'SCENARIO: rate-limit' });
    expect(c).toMatchObject({ outcome: 'transient', retryable: true });
    expect(c.reason).toMatch(/rate/i);
  });

  it.each(AI_TOOLS)('%s: overloaded is transient', async (name) => {
    const { c } = await runFake(name, { prompt: 'SCENARIO: overloaded' });
    expect(c).toMatchObject({ outcome: 'transient', retryable: true });
  });

  it('codex usage-limit parks the tool until the printed reset time', async () => {
    const { c } = await runFake('codex', { prompt: 'SCENARIO: usage-limit' }, { FAKE_RESET: '11:59 PM' });
    expect(c.outcome).toBe('transient');
    const reset = new Date(c.resetAt!);
    expect([reset.getHours(), reset.getMinutes()]).toEqual([23, 59]);
  });

  it('claude success carries usage, cost and session id; permission denials make it suspect', async () => {
    const ok = await runFake('claude', { prompt: 'SCENARIO: ok' }, { FAKE_SESSION_ID: 'sess-42' });
    expect(ok.c).toMatchObject({
      sessionId: 'sess-42',
      usage: { inputTokens: 12, outputTokens: 5, costUsd: 0.000148 },
    });
    const denied = await runFake('claude', { prompt: 'SCENARIO: permission-denied' });
    expect(denied.c.outcome).toBe('suspect');
    expect(denied.c.suspect).toMatch(/Write/);
  });

  it('claude is_error with exit 0 is not a success', async () => {
    const { c } = await runFake('claude', { prompt: 'SCENARIO: is-error-exit0' });
    expect(c.outcome).toBe('transient');
  });

  it('aider exit 0 after a failed LLM call is not a success', async () => {
    const { c } = await runFake('aider', { prompt: 'SCENARIO: aider-llm-error' });
    expect(c).toMatchObject({ outcome: 'transient', reason: expect.stringMatching(/rate limit/) as unknown });
  });

  it('rate-limit-then-ok fails twice, then succeeds', async () => {
    const state = await fs.mkdtemp(path.join(dir, 'state-'));
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { c } = await runFake(
        'gemini',
        { prompt: 'SCENARIO: rate-limit-then-ok' },
        { FAKE_STATE_DIR: state },
      );
      outcomes.push(c.outcome);
    }
    expect(outcomes).toEqual(['transient', 'transient', 'success']);
  });

  it('the blueprint flags are permanent failures that name the flag to remove', async () => {
    const codex = await runFake('codex', { prompt: 'p', flags: ['--non-interactive'] });
    expect(codex.c).toMatchObject({
      outcome: 'permanent',
      reason:
        "codex rejected the flag --non-interactive: remove it from the task's flags or tools.codex.argv",
    });
    const claude = await runFake('claude', { prompt: 'p', flags: ['--no-editor'] });
    expect(claude.c).toMatchObject({
      outcome: 'permanent',
      reason: "claude rejected the flag --no-editor: remove it from the task's flags or tools.claude.argv",
    });
    const gemini = await runFake('gemini', { prompt: 'p', flags: ['--non-interactive'] });
    expect(gemini.c.reason).toMatch(/^gemini rejected the flag --non-interactive:/);
  });

  it('a long prompt reaches claude and codex on stdin, and the fakes record the argv', async () => {
    await fs.rm(record, { force: true });
    const long = `SCENARIO: ok\n${'p'.repeat(5000)}`;
    const claude = await runFake('claude', { prompt: long });
    const codex = await runFake('codex', { prompt: long });
    expect([claude.c.outcome, codex.c.outcome]).toEqual(['success', 'success']);
    const lines = (await fs.readFile(record, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { tool: string; argv: string[]; stdin?: string; env: Record<string, string> },
      );
    expect(lines.map((l) => [l.tool, l.argv, l.stdin])).toEqual([
      ['claude', claude.args, long],
      ['codex', codex.args, long],
    ]);
    expect(codex.args.at(-1)).toBe('-');
    expect(lines[0]?.env.CLAUDE_CODE_MAX_RETRIES).toBe('0');
  });
});
