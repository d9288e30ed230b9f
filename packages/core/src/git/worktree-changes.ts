import { gitReason, type GitRunner } from './git-run.js';
import { WorktreeError } from './worktree.js';

export interface CommitIdentity {
  name: string;
  email: string;
}

/** Used when neither the config nor git's own config names anyone (a fresh account under Task Scheduler). */
export const FALLBACK_IDENTITY: CommitIdentity = { name: 'headless', email: 'headless@localhost' };

export interface ChangedFile {
  path: string;
  /** git's status letter: A added, M modified, D deleted, R renamed, ... */
  status: string;
  insertions: number | null;
  deletions: number | null;
}

/** What a task changed on its branch, from its base to its head. */
export interface WorktreeChanges {
  baseSha: string;
  headSha: string;
  diffstat: { files: number; insertions: number; deletions: number };
  changedFiles: ChangedFile[];
}

export interface CommitRequest {
  id: string;
  worktreePath: string;
  attempt: number;
  prompt?: string;
  /** `policies.worktrees.author`; absent: git's configured identity, else FALLBACK_IDENTITY. */
  author?: CommitIdentity | null;
}

/** `<id>: <first line of the prompt>`, at most 72 characters, and a body that says who made it. */
export function commitMessage(id: string, attempt: number, prompt?: string): string {
  const first = (prompt ?? '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  let subject = first.trim() ? `${id}: ${first.trim()}` : `${id}: changes of attempt ${attempt}`;
  if (subject.length > 72) subject = `${subject.slice(0, 71).trimEnd()}…`;
  return `${subject}\n\nheadless task ${id}, attempt ${attempt}.\n`;
}

/**
 * Commits everything the attempt left in the worktree (tracked, new and deleted files) on the
 * task's branch. Returns whether there was anything to commit. Hooks and signing are off: this is
 * bookkeeping on a private branch, and a pre-commit hook or a pinentry could wait for a person.
 */
export async function commitAttempt(
  git: GitRunner,
  req: CommitRequest,
): Promise<{ committed: boolean; headSha: string }> {
  const cwd = req.worktreePath;
  const fail = (what: string, r: Parameters<typeof gitReason>[0]): never => {
    const reason = gitReason(r);
    throw new WorktreeError(req.id, 'commit', reason, `task ${req.id}: ${what} in ${cwd} failed: ${reason}`);
  };
  const add = await git(cwd, ['add', '-A']);
  if (add.exitCode !== 0) fail('git add -A', add);
  const staged = await git(cwd, ['diff', '--cached', '--quiet']);
  let committed = false;
  if (staged.exitCode === 1) {
    const who = await identity(git, cwd, req.author);
    const env: Record<string, string> = who
      ? {
          GIT_AUTHOR_NAME: who.name,
          GIT_AUTHOR_EMAIL: who.email,
          GIT_COMMITTER_NAME: who.name,
          GIT_COMMITTER_EMAIL: who.email,
        }
      : {};
    const commit = await git(
      cwd,
      [
        '-c',
        'commit.gpgsign=false',
        'commit',
        '--no-verify',
        '-q',
        '-m',
        commitMessage(req.id, req.attempt, req.prompt),
      ],
      { env },
    );
    if (commit.exitCode !== 0) fail('git commit', commit);
    committed = true;
  } else if (staged.exitCode !== 0) fail('git diff --cached', staged);
  const head = await git(cwd, ['rev-parse', 'HEAD']);
  if (head.exitCode !== 0) fail('git rev-parse HEAD', head);
  return { committed, headSha: head.stdout.trim() };
}

async function identity(
  git: GitRunner,
  cwd: string,
  configured: CommitIdentity | null | undefined,
): Promise<CommitIdentity | undefined> {
  if (configured) return configured;
  const own = await git(cwd, ['var', 'GIT_COMMITTER_IDENT']);
  return own.exitCode === 0 ? undefined : FALLBACK_IDENTITY;
}

/** Base and head SHA, diffstat and changed files of the task's branch. */
export async function worktreeChanges(
  git: GitRunner,
  id: string,
  worktreePath: string,
  baseSha: string,
): Promise<WorktreeChanges> {
  const head = await git(worktreePath, ['rev-parse', 'HEAD']);
  const numstat = await git(worktreePath, ['diff', '--numstat', '-z', '--no-renames', baseSha, 'HEAD']);
  const names = await git(worktreePath, ['diff', '--name-status', '-z', '--no-renames', baseSha, 'HEAD']);
  for (const r of [head, numstat, names]) {
    if (r.exitCode !== 0) {
      const reason = gitReason(r);
      throw new WorktreeError(
        id,
        'inspect',
        reason,
        `task ${id}: cannot read its changes in ${worktreePath}: ${reason}`,
      );
    }
  }
  const changedFiles = mergeStats(parseNameStatus(names.stdout), parseNumstat(numstat.stdout));
  const sum = (k: 'insertions' | 'deletions') => changedFiles.reduce((n, f) => n + (f[k] ?? 0), 0);
  return {
    baseSha,
    headSha: head.stdout.trim(),
    diffstat: { files: changedFiles.length, insertions: sum('insertions'), deletions: sum('deletions') },
    changedFiles,
  };
}

/** `git diff --name-status -z`: status NUL path NUL ... */
export function parseNameStatus(text: string): { path: string; status: string }[] {
  const parts = text.split('\0').filter((p) => p !== '');
  const out: { path: string; status: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2)
    out.push({ status: (parts[i] as string).charAt(0), path: parts[i + 1] as string });
  return out;
}

/** `git diff --numstat -z`: `ins\tdel\tpath` NUL ...; binary files count `-` (null here). */
export function parseNumstat(
  text: string,
): Map<string, { insertions: number | null; deletions: number | null }> {
  const out = new Map<string, { insertions: number | null; deletions: number | null }>();
  for (const rec of text.split('\0')) {
    const m = /^(-|\d+)\t(-|\d+)\t(.+)$/s.exec(rec);
    if (!m) continue;
    const num = (s: string) => (s === '-' ? null : Number(s));
    out.set(m[3] as string, { insertions: num(m[1] as string), deletions: num(m[2] as string) });
  }
  return out;
}

function mergeStats(
  names: { path: string; status: string }[],
  stats: Map<string, { insertions: number | null; deletions: number | null }>,
): ChangedFile[] {
  return names.map((n) => ({ ...n, ...(stats.get(n.path) ?? { insertions: null, deletions: null }) }));
}

/** Uncommitted changes in a worktree (tracked or untracked, not ignored): what `clean` never throws away unasked. */
export async function uncommittedFiles(git: GitRunner, worktreePath: string): Promise<string[] | undefined> {
  const r = await git(worktreePath, ['status', '--porcelain', '-z', '--untracked-files=all', '--no-renames']);
  if (r.exitCode !== 0) return undefined;
  return r.stdout
    .split('\0')
    .filter((l) => l.length > 3)
    .map((l) => l.slice(3));
}
