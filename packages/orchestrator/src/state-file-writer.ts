import type { RootLayout } from '@headless/core/paths';
import type { LoopState } from './loop-state.js';
import { writeLoopsFile } from './loops-file.js';

/**
 * Keeps every loop's state and writes `.tasks/run/loops.json` after each change. Writes are
 * serialised and coalesced: while one is in flight, later changes wait and go out together.
 */
export class LoopStateFile {
  private readonly states = new Map<string, LoopState>();
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly l: RootLayout,
    private readonly onError: (err: unknown) => void,
  ) {}

  set(loop: string, state: LoopState): void {
    this.states.set(loop, state);
    this.dirty = true;
    this.writing ??= this.drain();
  }

  /** A loop removed from config/tools.json leaves loops.json too. */
  remove(loop: string): void {
    if (!this.states.delete(loop)) return;
    this.dirty = true;
    this.writing ??= this.drain();
  }

  snapshot(): Record<string, LoopState> {
    return Object.fromEntries(this.states);
  }

  /** Resolves once everything set so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        try {
          await writeLoopsFile(this.l, {
            pid: process.pid,
            updatedAt: new Date().toISOString(),
            loops: this.snapshot(),
          });
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
