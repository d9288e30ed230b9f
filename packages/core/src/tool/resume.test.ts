import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig } from '../config/schema.js';
import { classifyAttempt } from './classify.js';
import { buildCommand } from './command.js';
import { applySession, continuationPrompt, planSession, sessionIdFromLine } from './resume.js';
import { FAKES_BY_PATH, posixOnly } from '../platform-kit.js';

const FAKES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-support/fakes');
const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const ID = '3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
let dir: string;
beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'resume-')));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('planSession', () => {
  it('chooses a claude/gemini session id before the first attempt; codex picks its own', () => {
    expect(planSession({ tool: tools.claude!, newId: () => ID })).toEqual({ mode: 'new', sessionId: ID });
    expect(planSession({ tool: tools.gemini!, newId: () => ID })).toEqual({ mode: 'new', sessionId: ID });
    expect(planSession({ tool: tools.codex! })).toEqual({ mode: 'none' });
    expect(planSession({ tool: tools.git! })).toEqual({ mode: 'none' });
  });

  it.each(['timeout', 'stalled', 'interrupted', 'budget'] as const)('resumes after %s', (outcome) => {
    expect(planSession({ tool: tools.codex!, last: { outcome, sessionId: 't-1' } })).toEqual({
      mode: 'resume',
      sessionId: 't-1',
    });
  });

  it('resumes after a usage limit or a crash, not after a plain failure, a gone session or resume: false', () => {
    const plan = (last: Parameters<typeof planSession>[0]['last'], taskResume?: boolean) =>
      planSession({
        tool: tools.claude!,
        last,
        newId: () => 'fresh',
        ...(taskResume === undefined ? {} : { taskResume }),
      }).mode;
    expect(plan({ outcome: 'transient', sessionId: ID, limit: 'usage' })).toBe('resume');
    expect(plan({ outcome: 'transient', sessionId: ID, crashed: true })).toBe('resume');
    expect(plan({ outcome: 'transient', sessionId: ID })).toBe('new');
    expect(plan({ outcome: 'permanent', sessionId: ID, sessionNotFound: true })).toBe('new');
    expect(plan({ outcome: 'timeout' })).toBe('new');
    expect(plan({ outcome: 'timeout', sessionId: ID }, false)).toBe('new');
    expect(
      planSession({
        tool: { ...tools.claude!, resume: false },
        last: { outcome: 'timeout', sessionId: ID },
        newId: () => 'x',
      }).mode,
    ).toBe('new');
    expect(
      planSession({
        tool: { ...tools.claude!, resume: false },
        taskResume: true,
        last: { outcome: 'timeout', sessionId: ID },
      }).mode,
    ).toBe('resume');
  });
});

describe('applySession', () => {
  const task = (prompt: string) => ({ id: 't', args: [], files: [], flags: [], repo: dir, prompt });

  it('adds --session-id first and --resume later for claude and gemini', () => {
    for (const name of ['claude', 'gemini']) {
      const built = buildCommand(name, tools[name]!, task('fix it'), { scratchDir: dir });
      expect(
        applySession(tools[name]!, built, { mode: 'new', sessionId: ID }, 'fix it').args.slice(-2),
      ).toEqual(['--session-id', ID]);
      expect(
        applySession(tools[name]!, built, { mode: 'resume', sessionId: ID }, 'fix it').args.slice(-2),
      ).toEqual(['--resume', ID]);
    }
  });

  it('puts codex `resume <id>` after the exec options and before the prompt (or its -)', () => {
    const short = buildCommand('codex', tools.codex!, task('go on'), { scratchDir: dir });
    expect(
      applySession(tools.codex!, short, { mode: 'resume', sessionId: 't-9' }, 'go on').args.slice(-3),
    ).toEqual(['resume', 't-9', 'go on']);
    const long = 'x'.repeat(5000);
    const viaStdin = buildCommand('codex', tools.codex!, task(long), { scratchDir: dir });
    expect(viaStdin.promptVia).toBe('stdin');
    expect(
      applySession(tools.codex!, viaStdin, { mode: 'resume', sessionId: 't-9' }, long).args.slice(-3),
    ).toEqual(['resume', 't-9', '-']);
  });

  it('reads the codex thread id from the first streamed event', () => {
    expect(sessionIdFromLine('codex-jsonl', '{"type":"thread.started","thread_id":"01a2"}')).toBe('01a2');
    expect(sessionIdFromLine('codex-jsonl', '{"type":"turn.started"}')).toBeUndefined();
    expect(sessionIdFromLine('claude-json', '{"type":"thread.started","thread_id":"x"}')).toBeUndefined();
    expect(sessionIdFromLine('codex-jsonl', 'thread.started but not json')).toBeUndefined();
  });
});

posixOnly(FAKES_BY_PATH).describe('resume against the fake CLIs', () => {
  async function run(
    name: string,
    prompt: string,
    plan: Parameters<typeof applySession>[2],
    scenario = 'ok',
  ) {
    const tool = tools[name]!;
    const built = applySession(
      tool,
      buildCommand(
        name,
        tool,
        { id: 't', args: [], files: [], flags: [], repo: dir, prompt },
        { scratchDir: dir },
      ),
      plan,
      prompt,
    );
    const r = await execa(path.join(FAKES_DIR, name), built.args, {
      cwd: dir,
      env: {
        PATH: `${FAKES_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: dir,
        FAKE_STATE_DIR: dir,
        FAKE_SCENARIO: scenario,
        ...tool.env,
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 15000,
    });
    const c = classifyAttempt(
      name,
      tool,
      {
        exitCode: r.exitCode ?? null,
        signal: null,
        endReason: 'exited',
        stdout: String(r.stdout),
        stderr: String(r.stderr),
      },
      new Date(),
    );
    return { c, args: built.args, stdout: String(r.stdout) };
  }

  it('claude: the id given by --session-id to the first attempt is the one --resume continues', async () => {
    const first = await run('claude', 'fix it', { mode: 'new', sessionId: ID });
    expect(first.c).toMatchObject({ outcome: 'success', sessionId: ID });
    const again = await run('claude', continuationPrompt('idle timeout'), { mode: 'resume', sessionId: ID });
    expect(again.args).toContain('--resume');
    expect(again.c).toMatchObject({ outcome: 'success', sessionId: ID });
    const gone = await run('claude', 'go on', {
      mode: 'resume',
      sessionId: '00000000-0000-4000-8000-00000000beef',
    });
    expect(gone.c).toMatchObject({ outcome: 'permanent', sessionNotFound: true });
  });

  it('codex: the thread id from thread.started is the one `exec resume` continues', async () => {
    const first = await run('codex', 'fix it', { mode: 'none' });
    const thread = first.stdout
      .split('\n')
      .map((l) => sessionIdFromLine('codex-jsonl', l))
      .find(Boolean);
    expect(thread).toBeDefined();
    const again = await run('codex', 'go on', { mode: 'resume', sessionId: thread! });
    expect(again.args.slice(-3)).toEqual(['resume', thread, 'go on']);
    expect(again.c).toMatchObject({ outcome: 'success', sessionId: thread });
    const gone = await run('codex', 'go on', { mode: 'resume', sessionId: 'nope' });
    expect(gone.c).toMatchObject({ outcome: 'permanent', sessionNotFound: true });
  });

  it('gemini: --session-id then --resume with the same uuid', async () => {
    const first = await run('gemini', 'fix it', { mode: 'new', sessionId: ID });
    expect(first.c).toMatchObject({ outcome: 'success', sessionId: ID });
    const again = await run('gemini', 'go on', { mode: 'resume', sessionId: ID });
    expect(again.c).toMatchObject({ outcome: 'success', sessionId: ID });
  });
});
