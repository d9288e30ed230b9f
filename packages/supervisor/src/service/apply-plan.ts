import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ServicePlan } from './service-plan.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  spawnError?: string;
}

export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

/** execFile with an argv array, no shell, no console window. */
export const execRunner: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { windowsHide: true, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (typeof e.code === 'string')
        return resolve({ code: 127, stdout, stderr, spawnError: `${e.code}: ${e.message}` });
      resolve({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr });
    });
  });

/** Carries out a plan: files first, then the commands in order. Returns the exit code. */
export async function applyPlan(
  plan: ServicePlan,
  run: CommandRunner,
  print: (text: string) => void,
): Promise<number> {
  for (const file of plan.write) {
    await fs.mkdir(path.dirname(file.path), { recursive: true });
    await fs.writeFile(file.path, file.bytes);
    print(`wrote ${file.path}`);
  }
  for (const file of plan.remove) {
    await fs.rm(file, { force: true });
    print(`removed ${file}`);
  }
  for (const cmd of plan.commands) {
    const line = [cmd.file, ...cmd.args].join(' ');
    const result = await run(cmd.file, cmd.args);
    if (plan.action === 'status') {
      print(
        (result.stdout + result.stderr).trimEnd() ||
          (result.spawnError ?? `${line}: exit code ${result.code}`),
      );
      return result.code === 0 ? 0 : 1;
    }
    if (result.code === 0 || cmd.optional) continue;
    const why =
      result.spawnError ??
      `exit code ${result.code}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`;
    print(`could not run "${line}" (${why}).`);
    if (plan.manual.length > 0) print(`Finish by hand:\n  ${plan.manual.join('\n  ')}`);
    return 1;
  }
  print(`${plan.action === 'install' ? 'installed' : 'uninstalled'} ${plan.name}`);
  return 0;
}
