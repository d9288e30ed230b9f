/** Lets any event (a file appeared, a task ended) end the worker's wait early. */
export class Waker {
  private pending: (() => void) | undefined;
  private woken = false;

  wake(): void {
    this.woken = true;
    this.pending?.();
  }

  /** Waits up to `ms` or until `wake()`; a wake that came while busy ends the next wait at once. */
  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.pending = done;
    });
  }
}

/**
 * Whether a stored end needs one more loop pass after the one its freed slot woke already: a task
 * back in the queue or parked (its due time or release is the pass's to plan), a queued dependent
 * (it may be released or fail now), `headless run`'s idle check. A `done` or `failed` end with
 * none of these changes nothing the pass would do.
 */
export function passNeededAfterEnd(
  ended: string | undefined,
  loop: { untilIdle: boolean; hasDependents: boolean },
): boolean {
  return loop.untilIdle || loop.hasDependents || (ended !== 'done' && ended !== 'failed');
}
