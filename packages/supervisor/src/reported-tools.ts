import type { RunningTask } from '@headless/core/ipc/events';
import { killGroupNow, parentPid, processStartTime } from '@headless/core/process/ownership';

/**
 * The tool processes a child reported (task-started, heartbeats): their groups are killed when the
 * child dies, so nothing it ran outlives it untracked.
 */
export class ReportedTools {
  /** By `id#attempt`. */
  readonly tasks = new Map<string, RunningTask>();
  /** Start time of each tool pid when it was reported, so a reused pid is never killed. */
  private readonly pidStarts = new Map<number, string | undefined>();

  /**
   * Keeps a reported task and its tool pid, but only a pid the child really started (its parent is
   * the child, or a child of the child: the worker's spawner, where /proc tells): a confused or
   * hostile child must not make the supervisor kill another process group later. Returns why a pid
   * was refused.
   */
  track(task: RunningTask, childPid: number | undefined): string | undefined {
    const key = `${task.id}#${task.attempt}`;
    const known = this.tasks.get(key);
    if (task.pid === undefined || known?.pid === task.pid) {
      this.tasks.set(key, { ...task, ...(known?.pid !== undefined ? { pid: known.pid } : {}) });
      return undefined;
    }
    const ppid = parentPid(task.pid);
    if (ppid !== undefined && childPid !== undefined && ppid !== childPid && parentPid(ppid) !== childPid) {
      const { pid: _ignored, ...rest } = task;
      this.tasks.set(key, rest);
      return `reported pid ${task.pid} for ${task.id}, which it did not start (its parent is ${ppid})`;
    }
    this.pidStarts.set(task.pid, processStartTime(task.pid));
    this.tasks.set(key, task);
    return undefined;
  }

  /** A task's attempt ended: its pid is no longer ours to kill (nor to remember, or the map grows per task). */
  forget(id: string, attempt: number): void {
    const key = `${id}#${attempt}`;
    const pid = this.tasks.get(key)?.pid;
    this.tasks.delete(key);
    if (pid === undefined) return;
    for (const t of this.tasks.values()) if (t.pid === pid) return;
    this.pidStarts.delete(pid);
  }

  /** How many tool pids are remembered (tests: none after every task has ended). */
  get rememberedPids(): number {
    return this.pidStarts.size;
  }

  /** Kills every reported group and forgets them all; returns the pids whose groups were killed. */
  async killAll(): Promise<number[]> {
    const reported = [...this.tasks.values()].map((t) => t.pid).filter((p): p is number => p !== undefined);
    this.tasks.clear();
    // A pid whose process started at another time is a reused pid: someone else's process now. A
    // leader that is gone leaves its group id reserved while members remain, so the group is still ours.
    const pids = reported.filter((pid) => {
      const then = this.pidStarts.get(pid);
      this.pidStarts.delete(pid);
      const now = processStartTime(pid);
      return now === undefined || then === undefined || now === then;
    });
    for (const pid of pids) await killGroupNow(pid);
    return pids;
  }
}
