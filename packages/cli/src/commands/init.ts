import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { defaultConfigFiles } from '@headless/core/config/default-files';
import { HeadlessError } from '@headless/core/errors/headless-error';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { layout, resolveRoot, type RootLayout } from '@headless/core/paths';
import { initCi, initHooks } from '../repo-quality/init-repo.js';

export interface InitResult {
  /** Files written, relative to the root, with forward slashes. */
  written: string[];
}

/**
 * Writes config/tools.json and config/policies.json with every default, and the JSON Schemas they
 * point at. Refuses (before writing anything) when a config file exists, unless `force`: those files
 * are the user's. The schema files are generated and always rewritten, so they match this version.
 */
export async function initRoot(l: RootLayout, opts: { force?: boolean } = {}): Promise<InitResult> {
  const files = defaultConfigFiles();
  if (!opts.force) {
    for (const f of files) {
      if (f.relPath.startsWith('config/schema/')) continue;
      if (await exists(path.join(l.root, f.relPath))) {
        throw new HeadlessError(
          `${f.relPath} already exists: keep it, or run \`headless init --force\` to overwrite it`,
        );
      }
    }
  }
  for (const f of files) {
    const target = path.join(l.root, f.relPath);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, f.text);
  }
  return { written: files.map((f) => f.relPath) };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

interface InitOpts {
  force?: boolean;
  ci?: boolean;
  hooks?: boolean;
  repo: string;
  headlessRepo?: string;
  headlessRef: string;
}

export function register(program: Command): void {
  program
    .command('init')
    .description(
      'write config/tools.json and config/policies.json with the defaults (and their JSON Schemas)',
    )
    .option('--force', 'overwrite existing files')
    .option(
      '--ci',
      "instead: write the repository's quality workflow (.github/workflows/headless-quality.yml)",
    )
    .option(
      '--hooks',
      'instead: install a pre-commit hook running `headless quality --staged` in the repository',
    )
    .option('--repo <dir>', 'the repository for --ci and --hooks', '.')
    .option(
      '--headless-repo <owner/name>',
      'for --ci: the GitHub repository the workflow builds headless from',
    )
    .option('--headless-ref <ref>', 'for --ci: its branch, tag or commit', 'main')
    .action(async (opts: InitOpts, cmd: Command) => {
      const l = layout(resolveRoot(cmd.optsWithGlobals<{ root?: string }>().root));
      if (opts.ci || opts.hooks) {
        const force = opts.force === true;
        if (opts.ci) {
          const file = await initCi(opts.repo, {
            force,
            headlessRef: opts.headlessRef,
            ...(opts.headlessRepo ? { headlessRepo: opts.headlessRepo } : {}),
          });
          process.stdout.write(`wrote ${file}\n`);
        }
        if (opts.hooks) {
          for (const file of await initHooks(opts.repo, { force, root: l.root })) {
            process.stdout.write(`wrote ${file}\n`);
          }
        }
        return;
      }
      const result = await initRoot(l, { force: opts.force === true });
      for (const rel of result.written) process.stdout.write(`wrote ${rel}\n`);
      process.stdout.write(
        'next: edit config/tools.json (executables, models), then run `headless doctor`\n',
      );
    });
}
