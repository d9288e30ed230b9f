/**
 * One change of a task at a time in a process, by key (the lower-case task id). Two changes that
 * both read `from` would otherwise race: the first renames the file away and the second's content
 * write then makes it anew, leaving the task in two folders. Serialised, the second finds no source
 * (MissingTaskError).
 */
export class TaskSerial {
  private readonly busy = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(key, settled);
    void settled.then(() => {
      if (this.busy.get(key) === settled) this.busy.delete(key);
    });
    return run;
  }
}
