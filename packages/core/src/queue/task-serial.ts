/**
 * One change of a task at a time in a process, by task id ignoring case. Two changes that both
 * read `from` would otherwise race: the first renames the file away and the second's content write
 * then makes it anew, leaving the task in two folders. Serialised, the second finds no source
 * (MissingTaskError).
 */
export class TaskSerial {
  private readonly busy = new Map<string, Promise<void>>();
  /** Tasks with a change waiting or under way, by lower-case id: the id as given, and how many. */
  private readonly changing = new Map<string, { id: string; n: number }>();
  /** For each `watching` call under way, the tasks changed meanwhile. */
  private readonly watches = new Set<Map<string, string>>();

  /** Runs `fn` once every change of `id` asked for before it has settled. */
  run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const key = id.toLowerCase();
    for (const seen of this.watches) seen.set(key, id);
    const changing = this.changing.get(key) ?? { id, n: 0 };
    changing.n++;
    this.changing.set(key, changing);
    const before = this.busy.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(key, settled);
    void settled.then(() => {
      if (--changing.n === 0) this.changing.delete(key);
      if (this.busy.get(key) === settled) this.busy.delete(key);
    });
    return run;
  }

  /**
   * Runs `fn` (a listing of the store) and says which tasks were being changed when it started or
   * were changed while it ran: the listing may have caught any of them between two folders.
   */
  async watching<T>(fn: () => Promise<T>): Promise<{ value: T; changed: string[] }> {
    const seen = new Map<string, string>();
    for (const [key, c] of this.changing) seen.set(key, c.id);
    this.watches.add(seen);
    try {
      return { value: await fn(), changed: [...seen.values()] };
    } finally {
      this.watches.delete(seen);
    }
  }
}
