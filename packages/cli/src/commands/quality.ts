import type { Command } from 'commander';
import { ExitCode } from '@headless/core/errors/headless-error';
import { renderSummary } from '@headless/core/repo-quality/report';
import { runQualityGate } from '@headless/core/repo-quality/run-gate';
import { printJson, rootPaths } from '../context.js';

interface QualityOpts {
  repo: string;
  only?: string;
  skip?: string;
  json?: boolean;
  staged?: boolean;
}

const list = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * `headless quality [--repo R]`: the quality gate of a repository (Ruff, pytest, Pester, its JS
 * scripts; or its .headless/quality.json). Exit 0 passed, 1 a step failed, 2 usage or config.
 * Not headless's own gate, which is `npm run quality`.
 */
export function register(program: Command): void {
  program
    .command('quality')
    .description("run a repository's quality gate (ruff, pytest, Pester, its lint/typecheck/test scripts)")
    .option('--repo <dir>', 'the repository', '.')
    .option('--only <steps>', 'run only these steps (comma-separated)')
    .option('--skip <steps>', 'leave these steps out (comma-separated)')
    .option('--staged', 'pre-commit mode: the fast steps (ruff, eslint) on the staged files only')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action(async (opts: QualityOpts, cmd: Command) => {
      const paths = rootPaths(cmd);
      const progressTo = opts.json ? process.stderr : process.stdout;
      const only = list(opts.only);
      const skip = list(opts.skip);
      const result = await runQualityGate(opts.repo, {
        logsDir: paths.logsDir,
        ...(only ? { only } : {}),
        ...(skip ? { skip } : {}),
        staged: opts.staged === true,
        onProgress: (line) => progressTo.write(`${line}\n`),
      });
      if (opts.json) printJson(result);
      else process.stdout.write(renderSummary(result, { cwd: process.cwd() }));
      process.exitCode = result.passed ? ExitCode.ok : ExitCode.failure;
    });
}
