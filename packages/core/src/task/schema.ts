import * as z from 'zod/mini';
import '../zod-english.js';

/** Ids become file names on every platform: no separators, no dots-only names, no Windows device names. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export const TaskId = z.string().check(
  z.regex(TASK_ID_PATTERN, 'an id of 1-128 letters, digits, . _ -'),
  z.refine((id) => !/^\.+$/.test(id), 'an id that is not only dots'),
  z.refine(
    (id) => !WINDOWS_RESERVED.test(id),
    'an id that is not a Windows device name (CON, NUL, COM1, ...)',
  ),
);

/**
 * A branch, tag or commit name as git takes it. It becomes a git argument, so it may not look like
 * an option (a leading `-`) or hold spaces or control characters.
 */
export const GitRevision = z.string().check(
  z.minLength(1),
  z.maxLength(256),
  // Control characters are exactly what the check refuses (git would read them as part of a ref).
  // eslint-disable-next-line no-control-regex
  z.regex(/^[^-\s][^\s\u0000-\u001f\u007f]*$/, 'a branch, tag or commit (no leading "-", no spaces)'),
);

/** `verify` of a task or a tool: the whole gate, some of its steps (by name), or off. */
export const VerifySetting = z.union([
  z.boolean(),
  z
    .array(
      z
        .string()
        .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a quality step name such as ruff-check or pytest')),
    )
    .check(z.minLength(1), z.maxLength(50)),
]);
export type VerifySetting = z.infer<typeof VerifySetting>;

const positiveInt = z.number().check(z.int(), z.positive());

/** One line of an inbox file, as the user writes it (snake_case, as in the blueprint). */
export const TaskSpec = z.strictObject({
  id: TaskId,
  tool: z.string().check(z.minLength(1)),
  /** Repository (working folder), relative to the root or absolute; must lie inside an allowed root. */
  repo: z._default(z.string().check(z.minLength(1)), '.'),
  args: z._default(z.array(z.string()), []),
  prompt: z.optional(z.string()),
  files: z._default(z.array(z.string().check(z.minLength(1))), []),
  flags: z._default(z.array(z.string()), []),
  timeout_sec: z.optional(positiveInt),
  idle_timeout_sec: z.optional(positiveInt),
  /** Extra environment for this task; names listed as secret are redacted everywhere. */
  env: z._default(
    z.record(
      z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')),
      z.string(),
    ),
    {},
  ),
  /** Higher runs first; ties run in the order they were queued. */
  priority: z._default(z.number().check(z.int(), z.gte(-1000), z.lte(1000)), 0),
  /** Not started before this ISO-8601 time. */
  not_before: z.optional(z.iso.datetime({ offset: true })),
  max_attempts: z.optional(positiveInt.check(z.lte(100))),
  /** Spend cap of this task over all its attempts, in US dollars. */
  max_cost_usd: z.optional(z.number().check(z.positive())),
  /** false: a retry starts a fresh session instead of continuing the last one. */
  resume: z.optional(z.boolean()),
  /** Run again even when a task with this id is already known (its old record is archived). */
  rerun: z._default(z.boolean(), false),
  /** Ids of tasks that must be done first; if one fails or is cancelled, this one fails as dependency_failed. */
  after: z._default(
    z.array(TaskId).check(
      z.maxLength(100),
      z.refine((ids) => new Set(ids).size === ids.length, 'a list without repeated ids'),
    ),
    [],
  ),
  /** Run in a worktree of its own on branch headless/<id>; absent: tools.<tool>.worktree decides. */
  worktree: z.optional(z.boolean()),
  /** Where the worktree starts: a branch, tag or commit of the repo; absent: its HEAD at claim. */
  base: z.optional(GitRevision),
  /**
   * Accept the agent's work only when the repo's quality gate passes in its worktree: true (the
   * whole gate), a list of step names, or false; absent: tools.<tool>.verify decides.
   */
  verify: z.optional(VerifySetting),
});
export type TaskSpec = z.infer<typeof TaskSpec>;
/** What a writer may leave out; defaults fill the rest. */
export type TaskInput = z.input<typeof TaskSpec>;
