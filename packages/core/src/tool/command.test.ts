import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig, ToolSpec } from '../config/schema.js';
import { ExitCode } from '../errors/headless-error.js';
import { buildCommand, CommandBuildError, type CommandTask } from './command.js';

const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const REPO = path.resolve('/work/repo');
const SCRATCH = path.resolve('/work/scratch');
const opts = { scratchDir: SCRATCH, platform: 'linux' as const };

function tool(name: string, patch: Partial<ToolSpec> = {}): ToolSpec {
  const base = tools[name];
  if (!base) throw new Error(`no default tool ${name}`);
  return { ...base, ...patch };
}

function task(patch: Partial<CommandTask> = {}): CommandTask {
  return { id: 't1', args: [], files: [], flags: [], repo: REPO, ...patch };
}

describe('buildCommand with the default tools', () => {
  it('runs git with the task args and nothing else', () => {
    const built = buildCommand('git', tool('git'), task({ args: ['fetch', '--all', '--prune'] }), opts);
    expect(built).toEqual({
      executable: 'git',
      args: ['fetch', '--all', '--prune'],
      files: [],
      promptVia: 'none',
    });
  });

  it('gives codex its exec flags, the repo, the flags and the prompt last', () => {
    const built = buildCommand(
      'codex',
      tool('codex'),
      task({ prompt: 'write tests', flags: ['--oss'] }),
      opts,
    );
    expect(built.args).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '-C',
      REPO,
      '--sandbox',
      'workspace-write',
      '--oss',
      'write tests',
    ]);
    expect(built.promptVia).toBe('argument');
    expect(built.input).toBeUndefined();
  });

  it('adds the model option group only when a model is set', () => {
    const built = buildCommand('codex', tool('codex', { model: 'gpt-5' }), task({ prompt: 'p' }), opts);
    expect(built.args.slice(7, 9)).toEqual(['-m', 'gpt-5']);
    const without = buildCommand('codex', tool('codex'), task({ prompt: 'p' }), opts);
    expect(without.args).not.toContain('-m');
  });

  it('sends a long codex prompt on stdin with "-" as the prompt argument', () => {
    const long = 'x'.repeat(5000);
    const built = buildCommand('codex', tool('codex'), task({ prompt: long }), opts);
    expect(built.args.at(-1)).toBe('-');
    expect(built.input).toBe(long);
    expect(built.promptVia).toBe('stdin');
  });

  it('gives claude -p, the prompt and its print-mode flags', () => {
    const built = buildCommand(
      'claude',
      tool('claude', { model: 'opus' }),
      task({ prompt: 'plan it' }),
      opts,
    );
    expect(built.args).toEqual([
      '-p',
      'plan it',
      '--output-format',
      'json',
      '--permission-mode',
      'acceptEdits',
      '--disallowedTools',
      'AskUserQuestion',
      '--model',
      'opus',
    ]);
  });

  it('keeps claude -p and drops only the prompt element when the prompt goes by stdin', () => {
    const long = 'y'.repeat(4001);
    const built = buildCommand('claude', tool('claude'), task({ prompt: long }), opts);
    expect(built.args.slice(0, 3)).toEqual(['-p', '--output-format', 'json']);
    expect(built.args).not.toContain(long);
    expect(built.input).toBe(long);
  });

  it('gives gemini -p with the prompt, and drops the -p group for a long prompt on stdin', () => {
    const short = buildCommand('gemini', tool('gemini'), task({ prompt: 'hi' }), opts);
    expect(short.args).toEqual([
      '-p',
      'hi',
      '--output-format',
      'json',
      '--skip-trust',
      '--approval-mode',
      'auto_edit',
    ]);
    const long = buildCommand('gemini', tool('gemini'), task({ prompt: 'z'.repeat(4001) }), opts);
    expect(long.args).toEqual(['--output-format', 'json', '--skip-trust', '--approval-mode', 'auto_edit']);
    expect(long.promptVia).toBe('stdin');
  });

  it('writes the aider prompt to a file in the scratch folder and splices the files last', () => {
    const built = buildCommand(
      'aider',
      tool('aider', { model: 'sonnet' }),
      task({ prompt: 'refactor', files: ['a.py', 'b c.py'], flags: ['--no-auto-commits'] }),
      opts,
    );
    const promptFile = path.join(SCRATCH, 'prompt.txt');
    expect(built.args).toEqual([
      '--message-file',
      promptFile,
      '--yes-always',
      '--no-check-update',
      '--analytics-disable',
      '--no-gitignore',
      '--no-pretty',
      '--no-stream',
      '--model',
      'sonnet',
      '--no-auto-commits',
      'a.py',
      'b c.py',
    ]);
    expect(built.files).toEqual([{ path: promptFile, content: 'refactor' }]);
    expect(built.promptVia).toBe('file');
  });

  it('lets aider run without a model (the group is dropped)', () => {
    const built = buildCommand('aider', tool('aider'), task({ prompt: 'p' }), opts);
    expect(built.args).not.toContain('--model');
  });

  it('puts pwsh args after its non-interactive switches', () => {
    const built = buildCommand('pwsh', tool('pwsh'), task({ args: ['-File', 'run.ps1'] }), opts);
    expect(built.args).toEqual(['-NoProfile', '-NonInteractive', '-File', 'run.ps1']);
  });

  it('keeps shell metacharacters as literal single elements', () => {
    const nasty = `"; rm -rf / $(whoami) \`id\` | & > %PATH% ^& 'x'`;
    const built = buildCommand(
      'claude',
      tool('claude'),
      task({ prompt: nasty, flags: ['--append-system-prompt', nasty] }),
      opts,
    );
    expect(built.args[1]).toBe(nasty);
    expect(built.args.at(-1)).toBe(nasty);
    const git = buildCommand('git', tool('git'), task({ args: ['log', '--format={prompt}'] }), opts);
    expect(git.args).toEqual(['log', '--format={prompt}']);
  });

  it('moves a prompt with a line break off the command line on Windows only', () => {
    const multi = 'line one\nline two';
    expect(buildCommand('codex', tool('codex'), task({ prompt: multi }), opts).promptVia).toBe('argument');
    const win = buildCommand('codex', tool('codex'), task({ prompt: multi }), {
      scratchDir: SCRATCH,
      platform: 'win32',
    });
    expect(win.promptVia).toBe('stdin');
    expect(win.args.at(-1)).toBe('-');
  });
});

describe('buildCommand refuses what cannot work', () => {
  it('refuses an AI task without a prompt, as a usage error', () => {
    let error: unknown;
    try {
      buildCommand('codex', tool('codex'), task(), opts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommandBuildError);
    expect((error as CommandBuildError).exitCode).toBe(ExitCode.usage);
    expect((error as Error).message).toMatch(/codex needs a prompt/);
  });

  it('refuses a prompt for a tool that takes none', () => {
    expect(() => buildCommand('git', tool('git'), task({ prompt: 'hello' }), opts)).toThrow(
      /git takes no prompt/,
    );
  });

  it('refuses a long prompt when the tool has no way to receive it from a file', () => {
    const spec = ToolSpec.parse({
      executable: 'x',
      argv: ['{prompt}'],
      prompt: { longVia: 'file', maxArgChars: 5 },
    });
    expect(() => buildCommand('x', spec, task({ prompt: 'longer than five' }), opts)).toThrow(
      /no \{promptFile\}/,
    );
  });

  it('refuses a bare {model} element when no model is set', () => {
    const spec = ToolSpec.parse({ executable: 'x', argv: ['--model={model}'] });
    expect(() => buildCommand('x', spec, task(), opts)).toThrow(/tools\.x\.model is not set/);
    const withModel = ToolSpec.parse({ executable: 'x', argv: ['--model={model}'], model: 'm' });
    expect(buildCommand('x', withModel, task(), opts).args).toEqual(['--model=m']);
  });

  it('refuses a splice placeholder inside a larger element', () => {
    const spec = ToolSpec.parse({ executable: 'x', argv: ['--files={files}'] });
    expect(() => buildCommand('x', spec, task(), opts)).toThrow(/must be whole argv elements/);
  });
});

describe('buildCommand option groups', () => {
  it('drops a group whose spliced list is empty and keeps it otherwise', () => {
    const spec = ToolSpec.parse({
      executable: 'x',
      argv: [['--add', '{files}'], '{args}', ['--task', '{taskId}']],
    });
    expect(buildCommand('x', spec, task({ args: ['go'] }), opts).args).toEqual(['go', '--task', 't1']);
    expect(buildCommand('x', spec, task({ files: ['a', 'b'] }), opts).args).toEqual([
      '--add',
      'a',
      'b',
      '--task',
      't1',
    ]);
  });
});
