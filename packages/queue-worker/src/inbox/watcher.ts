import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '@headless/core/clock';
import { ingestFile, moveOut, type IngestDeps, type IngestReport } from './ingest.js';

export interface InboxWatcherOptions {
  inboxDir: string;
  /** A file unchanged this long is closed: its last line is read (newline or not) and it moves out. */
  settleMs: number;
  clock: Clock;
  ingest: IngestDeps;
  /** Where inbox files that cannot be read as task files go (`RootLayout.refusedFilesDir`). */
  refusedDir: string;
  onReport: (r: IngestReport) => void;
  onError: (file: string, err: unknown) => void;
  /**
   * A file that fails to be read this many times in a row, over at least `failingForMs`, is moved
   * to `.tasks/quarantine/files/` with the error: a file that can never be read must not be retried
   * (and logged) on every scan for ever. Defaults 5 and 60 s (a virus scanner's lock passes sooner).
   */
  maxFailures?: number;
  failingForMs?: number;
}

interface Failing {
  count: number;
  since: number;
}

/** Whether an inbox name can be a task file: not a writer's temp file (`.name`), nor another extension. */
export const isInboxCandidate = (name: string): boolean => name.endsWith('.jsonl') && !name.startsWith('.');

/** What has been read of an inbox file that is still open. */
interface OpenFile {
  next: { offset: number; line: number };
  size: number;
  mtimeMs: number;
  /** When it last changed (or, first seen, its mtime): it is closed once quiet for settleMs. */
  changedAt: number;
}

/**
 * Reads `.tasks/inbox/*.jsonl`: every complete line as soon as it is there (no waiting for a file to
 * settle: a task dropped in is picked up at once), and the file is closed (last line read, file
 * moved to `.tasks/ingested/`) once it has not changed for `settleMs` — a writer that keeps its
 * file open and adds lines never loses one to a file moved away under it. Not a watcher of its own:
 * the worker calls `scan()` whenever a watch event or its timer fires; the listing is the truth.
 */
export class InboxWatcher {
  private readonly open = new Map<string, OpenFile>();
  private readonly failing = new Map<string, Failing>();
  private wakeAt: number | undefined;

  constructor(private readonly opts: InboxWatcherOptions) {}

  /** True while a file is still open: the worker should look again by `nextWakeAt`. */
  get pending(): boolean {
    return this.wakeAt !== undefined;
  }

  /** When the next open file is due to be closed. */
  get nextWakeAt(): number | undefined {
    return this.wakeAt;
  }

  async scan(): Promise<void> {
    let names: string[];
    try {
      names = (await fs.readdir(this.opts.inboxDir)).filter(isInboxCandidate).sort();
    } catch (err) {
      this.opts.onError(this.opts.inboxDir, err);
      return;
    }
    let wakeAt: number | undefined;
    const present = new Set(names);
    for (const k of this.open.keys()) if (!present.has(k)) this.open.delete(k);
    for (const k of this.failing.keys()) if (!present.has(k)) this.failing.delete(k);
    for (const name of names) {
      const file = path.join(this.opts.inboxDir, name);
      let st;
      try {
        st = await fs.lstat(file);
      } catch {
        continue;
      }
      if (st.isSymbolicLink() || !st.isFile()) {
        await this.refuse(
          file,
          name,
          st.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file',
          'tasks are read only from regular files',
        );
        continue;
      }
      const now = this.opts.clock.now();
      let state = this.open.get(name);
      // A file replaced by a shorter one starts over; lines read before are recognised as replays.
      if (state && st.size < state.next.offset) state = undefined;
      const changed = !state || state.size !== st.size || state.mtimeMs !== st.mtimeMs;
      const changedAt = !state ? Math.min(now, st.mtimeMs) : changed ? now : state.changedAt;
      const next = state?.next ?? { offset: 0, line: 1 };
      const final = now - changedAt >= this.opts.settleMs;
      if (!final && st.size <= next.offset) {
        this.open.set(name, { next, size: st.size, mtimeMs: st.mtimeMs, changedAt });
        wakeAt = Math.min(wakeAt ?? Infinity, changedAt + this.opts.settleMs);
        continue;
      }
      try {
        const report = await ingestFile(file, this.opts.ingest, { start: next, final });
        this.failing.delete(name);
        if (final) {
          this.open.delete(name);
        } else {
          this.open.set(name, { next: report.next, size: st.size, mtimeMs: st.mtimeMs, changedAt });
          wakeAt = Math.min(wakeAt ?? Infinity, changedAt + this.opts.settleMs);
        }
        if (final || report.queued.length || report.rejected.length) this.opts.onReport(report);
      } catch (err) {
        this.opts.onError(file, err);
        const f = this.failing.get(name) ?? { count: 0, since: now };
        f.count++;
        this.failing.set(name, f);
        if (f.count >= (this.opts.maxFailures ?? 5) && now - f.since >= (this.opts.failingForMs ?? 60_000)) {
          this.failing.delete(name);
          this.open.delete(name);
          await this.refuse(
            file,
            name,
            `could not be read ${f.count} times (${err instanceof Error ? err.message : String(err)})`,
            'fix it and put it back in the inbox; tasks it queued before the error stay queued',
          );
        } else {
          wakeAt = Math.min(wakeAt ?? Infinity, now + 1000);
        }
      }
    }
    this.wakeAt = wakeAt;
  }

  /** A symlink, device or unreadable file is never followed or retried for ever: it is moved aside with the reason. */
  private async refuse(file: string, name: string, why: string, hint: string): Promise<void> {
    const dir = this.opts.refusedDir;
    await fs.mkdir(dir, { recursive: true });
    const stamp = this.opts.ingest.now().toISOString().replace(/[:.]/g, '-');
    try {
      const movedTo = await moveOut(file, dir, stamp);
      await this.opts.ingest.transitions.store.rejectLine({
        file: name,
        line: 0,
        reason: `inbox file ${why}; ${hint}`,
        raw: '',
        rawBytes: 0,
        at: this.opts.ingest.now().toISOString(),
      });
      await this.opts.ingest.ledger.append({
        event: 'task.rejected',
        file: name,
        line: 0,
        reason: `inbox file ${why}`,
        movedTo: path.basename(movedTo),
      });
    } catch (err) {
      this.opts.onError(file, err);
    }
  }
}
