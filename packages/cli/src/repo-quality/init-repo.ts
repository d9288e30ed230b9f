import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseDocument, YAMLSeq } from 'yaml';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import {
  gitHubRepoFromRemote,
  isGitHubRepoName,
  WORKFLOW_FILE,
  workflowYaml,
} from '@headless/core/repo-quality/ci-workflow';
import {
  FRAMEWORK_HOOK_ID,
  FRAMEWORK_SCRIPT,
  frameworkRepoEntry,
  frameworkScript,
  gitHookScript,
  HOOK_MARKER,
} from '@headless/core/repo-quality/hook-scripts';
import { selfCommand } from '@headless/core/tool/self';

const run = promisify(execFile);

/** `git <args>` in `cwd`, its trimmed stdout, or undefined when git fails. */
async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, windowsHide: true, timeout: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

async function repoFolder(repo: string): Promise<string> {
  const abs = path.resolve(repo);
  const st = await fs.stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) throw new HeadlessError(`--repo ${repo}: no such folder`, ExitCode.usage);
  return abs;
}

/** The GitHub repository this headless was cloned from, for the workflow to build it. */
async function ownGitHubRepo(): Promise<string | undefined> {
  const dir = path.dirname(selfCommand().headlessBin);
  const url = await git(dir, ['remote', 'get-url', 'origin']);
  return url === undefined ? undefined : gitHubRepoFromRemote(url);
}

export async function initCi(
  repoArg: string,
  opts: { force?: boolean; headlessRepo?: string; headlessRef?: string },
): Promise<string> {
  const repo = await repoFolder(repoArg);
  const headlessRepo = opts.headlessRepo ?? (await ownGitHubRepo());
  if (headlessRepo === undefined || !isGitHubRepoName(headlessRepo)) {
    throw new HeadlessError(
      opts.headlessRepo === undefined
        ? 'the workflow builds headless from GitHub, and this copy has no GitHub remote: give --headless-repo <owner/name>'
        : `--headless-repo ${opts.headlessRepo}: expected <owner>/<name> of a GitHub repository`,
      ExitCode.usage,
    );
  }
  const target = path.join(repo, WORKFLOW_FILE);
  if (!opts.force && (await exists(target))) {
    throw new HeadlessError(
      `${target} already exists: keep it, or add --force to overwrite it`,
      ExitCode.usage,
    );
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  await writeFileAtomic(target, workflowYaml({ headlessRepo, headlessRef: opts.headlessRef ?? 'main' }));
  return target;
}

export async function initHooks(repoArg: string, opts: { force?: boolean; root: string }): Promise<string[]> {
  const repo = await repoFolder(repoArg);
  const top = await git(repo, ['rev-parse', '--show-toplevel']);
  if (top === undefined) throw new HeadlessError(`--repo ${repoArg}: not a git repository`, ExitCode.usage);
  const frameworkConfig = path.join(top, '.pre-commit-config.yaml');
  if (await exists(frameworkConfig)) return [...(await addFrameworkEntry(top, frameworkConfig))];

  const rel = await git(top, ['rev-parse', '--git-path', 'hooks/pre-commit']);
  const hook = path.resolve(top, rel ?? '.git/hooks/pre-commit');
  if (!opts.force && (await exists(hook))) {
    const text = await fs.readFile(hook, 'utf8').catch(() => '');
    if (!text.includes(HOOK_MARKER)) {
      throw new HeadlessError(
        `${hook} already exists (not written by headless): add --force to replace it`,
        ExitCode.usage,
      );
    }
  }
  const self = selfCommand();
  await fs.mkdir(path.dirname(hook), { recursive: true });
  await writeFileAtomic(
    hook,
    gitHookScript({ node: self.node, headlessBin: self.headlessBin, root: opts.root }),
  );
  await fs.chmod(hook, 0o755);
  return [hook];
}

/** Adds the local headless hook to .pre-commit-config.yaml (comments kept) and writes its script. */
async function addFrameworkEntry(top: string, configFile: string): Promise<string[]> {
  const doc = parseDocument(await fs.readFile(configFile, 'utf8'));
  if (doc.errors.length > 0) {
    throw new HeadlessError(
      `${configFile}: not valid YAML (${doc.errors[0]?.message ?? ''})`,
      ExitCode.usage,
    );
  }
  const repos = doc.get('repos');
  const written: string[] = [];
  const already = JSON.stringify(doc.toJS() ?? {}).includes(`"id":"${FRAMEWORK_HOOK_ID}"`);
  if (!already) {
    if (repos === undefined) doc.set('repos', doc.createNode([frameworkRepoEntry()]));
    else if (repos instanceof YAMLSeq) repos.add(doc.createNode(frameworkRepoEntry()));
    else throw new HeadlessError(`${configFile}: "repos" is not a list`, ExitCode.usage);
    await writeFileAtomic(configFile, doc.toString());
    written.push(configFile);
  }
  const script = path.join(top, FRAMEWORK_SCRIPT);
  await fs.mkdir(path.dirname(script), { recursive: true });
  await writeFileAtomic(script, frameworkScript());
  await fs.chmod(script, 0o755);
  written.push(script);
  return written;
}
