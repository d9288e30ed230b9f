import path from 'node:path';
import type { ArgvElement, ToolSpec } from '../config/schema.js';
import { ExitCode, HeadlessError } from '../errors/headless-error.js';
import { resolveToolExecutable, selfCommand, type SelfCommand } from './self.js';

/**
 * Builds the command line for one attempt from a tool's argv template (config/tools.json) and a
 * task. Pure: it returns the files to write (the prompt file) instead of writing them.
 *
 * Template elements: inline `{prompt}` `{promptFile}` `{repo}` `{model}` `{taskId}`, and `{headless}`
 * (headless's own CLI script) and `{root}` (the headless root, when given); whole-element
 * `{flags}` `{files}` `{args}` (spliced, possibly empty). An array is an option group, dropped whole
 * when any placeholder in it has no value. A bare element whose inline placeholder has no value is
 * dropped alone (so claude's `-p` stays when its prompt goes by stdin). Values are inserted as
 * whole argv elements and never re-scanned or given to a shell, so `;`, `$()`, `%PATH%` stay literal.
 */

export interface CommandTask {
  id: string;
  args: readonly string[];
  prompt?: string;
  files: readonly string[];
  flags: readonly string[];
  /** Absolute path of the working folder. */
  repo: string;
}

export interface BuiltCommand {
  executable: string;
  args: string[];
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Files to write before spawning, e.g. the prompt file. */
  files: { path: string; content: string }[];
  promptVia: 'argument' | 'stdin' | 'file' | 'none';
}

export interface BuildOptions {
  /** A private folder for this attempt's files (the prompt file). */
  scratchDir: string;
  /** Where the tool runs; on Windows a prompt with a line break never goes as an argument. Default: this host. */
  platform?: NodeJS.Platform;
  /** The headless root, for `{root}`; without it an option group using `{root}` is dropped. */
  root?: string;
  /** What `{node}` and `{headless}` are (default: this node and this headless's CLI script). */
  self?: SelfCommand;
}

/** The task and the tool's command line do not fit together; the message says what to change. */
export class CommandBuildError extends HeadlessError {
  readonly tool: string;
  readonly taskId: string;
  constructor(tool: string, taskId: string, message: string) {
    super(`task ${taskId} (tool ${tool}): ${message}`, ExitCode.usage);
    this.tool = tool;
    this.taskId = taskId;
  }
}

const INLINE = /\{(prompt|promptFile|repo|model|taskId|headless|root)\}/g;
const SPLICE = /^\{(flags|files|args)\}$/;
const SPLICE_ANYWHERE = /\{(flags|files|args)\}/;

type Values = Record<
  'prompt' | 'promptFile' | 'repo' | 'model' | 'taskId' | 'headless' | 'root',
  string | undefined
>;

export function buildCommand(
  toolName: string,
  tool: ToolSpec,
  task: CommandTask,
  opts: BuildOptions,
): BuiltCommand {
  const fail = (message: string): never => {
    throw new CommandBuildError(toolName, task.id, message);
  };
  const template = tool.argv;
  const mentions = (name: string): boolean => template.flat().some((el) => el.includes(`{${name}}`));
  const takesPrompt = mentions('prompt') || mentions('promptFile');
  const prompt = task.prompt;
  const hasPrompt = prompt !== undefined && prompt !== '';

  if (hasPrompt && !takesPrompt) {
    fail(
      `${toolName} takes no prompt: remove "prompt" from the task, or add {prompt} to tools.${toolName}.argv`,
    );
  }
  if (!hasPrompt && takesPrompt) {
    fail(`${toolName} needs a prompt: add "prompt" to the task`);
  }

  const promptVia = hasPrompt ? choosePromptVia(tool, prompt, opts.platform ?? process.platform) : 'none';
  const values: Values = {
    prompt: undefined,
    promptFile: undefined,
    repo: task.repo,
    model: tool.model ?? undefined,
    taskId: task.id,
    headless: undefined,
    root: opts.root,
  };
  const usesSelf = tool.executable === '{node}' || mentions('headless');
  const self = usesSelf ? (opts.self ?? selfCommand()) : undefined;
  if (self) values.headless = self.headlessBin;
  const built: BuiltCommand = {
    executable: resolveToolExecutable(tool.executable, self),
    args: [],
    files: [],
    promptVia,
  };
  if (hasPrompt) {
    if (promptVia === 'argument') values.prompt = prompt;
    if (promptVia === 'stdin') {
      values.prompt = tool.prompt.stdinArg ?? undefined;
      built.input = prompt;
    }
    if (promptVia === 'file') {
      // The scratch folder is already the task's own (`.tasks/run/scratch/<id>/`): the id a second
      // time in the name would spend 128 more characters of a Windows path's 259.
      values.promptFile = path.join(opts.scratchDir, 'prompt.txt');
      built.files.push({ path: values.promptFile, content: prompt });
    }
  }

  const used = new Set<string>();
  for (const element of template) {
    built.args.push(...expandElement(toolName, element, values, task, used, fail));
  }

  if (promptVia === 'argument' && !used.has('prompt')) {
    fail(`the prompt goes as an argument but tools.${toolName}.argv has no {prompt} element that is used`);
  }
  if (promptVia === 'file' && !used.has('promptFile')) {
    fail(
      `the prompt goes in a file but tools.${toolName}.argv has no {promptFile}: add one or change prompt.via`,
    );
  }
  return built;
}

/** A prompt too long for a command line (8,191 chars through a Windows .cmd shim) moves to longVia. */
function choosePromptVia(
  tool: ToolSpec,
  prompt: string,
  platform: NodeJS.Platform,
): 'argument' | 'stdin' | 'file' {
  const { via, maxArgChars, longVia } = tool.prompt;
  if (via !== 'argument') return via;
  const tooLong = prompt.length > maxArgChars;
  // An argument cannot hold NUL anywhere; cmd.exe cuts a command line at a line feed.
  const unsafe = prompt.includes('\0') || (platform === 'win32' && /[\r\n]/.test(prompt));
  return tooLong || unsafe ? longVia : 'argument';
}

function expandElement(
  toolName: string,
  element: ArgvElement,
  values: Values,
  task: CommandTask,
  used: Set<string>,
  fail: (message: string) => never,
): string[] {
  if (typeof element === 'string') {
    const splice = SPLICE.exec(element);
    if (splice?.[1]) {
      used.add(splice[1]);
      return [...spliceValue(splice[1], task)];
    }
    if (SPLICE_ANYWHERE.test(element))
      fail(`"${element}": {flags}, {files} and {args} must be whole argv elements`);
    const filled = fillInline(element, values, used);
    if (filled === undefined) {
      if (/\{model\}/.test(element)) {
        fail(
          `tools.${toolName}.model is not set but "${element}" needs it: set a model, or put it in an option group`,
        );
      }
      return [];
    }
    return [filled];
  }
  // An option group: all of it or none of it.
  const out: string[] = [];
  const groupUsed = new Set<string>();
  for (const part of element) {
    const splice = SPLICE.exec(part);
    if (splice?.[1]) {
      const items = spliceValue(splice[1], task);
      if (items.length === 0) return [];
      groupUsed.add(splice[1]);
      out.push(...items);
      continue;
    }
    if (SPLICE_ANYWHERE.test(part))
      fail(`"${part}": {flags}, {files} and {args} must be whole argv elements`);
    const filled = fillInline(part, values, groupUsed);
    if (filled === undefined) return [];
    out.push(filled);
  }
  for (const name of groupUsed) used.add(name);
  return out;
}

/** The element with its placeholders filled, or undefined when one of them has no value. */
function fillInline(element: string, values: Values, used: Set<string>): string | undefined {
  let missing = false;
  const names: string[] = [];
  const filled = element.replace(INLINE, (_, name: keyof Values) => {
    const value = values[name];
    if (value === undefined) missing = true;
    names.push(name);
    return value ?? '';
  });
  if (missing) return undefined;
  for (const n of names) used.add(n);
  return filled;
}

function spliceValue(name: string, task: CommandTask): readonly string[] {
  if (name === 'flags') return task.flags;
  if (name === 'files') return task.files;
  return task.args;
}
