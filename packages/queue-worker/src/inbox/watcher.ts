import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '@headless/core/clock';
import { renameWithRetry } from '@headless/core/fs/atomic';
import { ingestFile, type IngestDeps, type IngestReport } from './ingest.js';
import { settleDecision, type SettleState } from './settle.js';

export interface InboxWatcherOptions {
  inboxDir: string;
  settleMs: number;
  staleMs: number;
  clock: Clock;
  ingest: IngestDeps;
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

/** Files that are never tasks: writers' temp files and our own moves. */
const isCandidate = (name: string) => name.endsWith('.jsonl') && !name.startsWith('.');

/**
 * Reads `.tasks/inbox/*.jsonl` once each file has settled. Not a watcher of its own: the worker
 * calls `scan()` whenever a watch event or its timer fires; the listing is the truth.
 */
export class InboxWatcher {
  private readonly seen = new Map<string, SettleState>();
  private readonly failing = new Map<string, Failing>();
  private waiting = 0;

  constructor(private readonly opts: InboxWatcherOptions) {}

  /** True while a file is present but not yet settled: the worker should look again soon. */
  get pending(): boolean {
    return this.waiting > 0;
  }

  async scan(): Promise<void> {
    let names: string[];
    try {
      names = (await fs.readdir(this.opts.inboxDir)).filter(isCandidate).sort();
    } catch (err) {
      this.opts.onError(this.opts.inboxDir, err);
      return;
    }
    let waiting = 0;
    const present = new Set(names);
    for (const k of this.seen.keys()) if (!present.has(k)) this.seen.delete(k);
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
      const endsWithNewline = st.size > 0 && (await lastByte(file, st.size)) === 0x0a;
      const now = this.opts.clock.now();
      const { ready, next } = settleDecision(
        this.seen.get(name),
        { size: st.size, mtimeMs: st.mtimeMs, endsWithNewline },
        now,
        this.opts.settleMs,
        this.opts.staleMs,
      );
      this.seen.set(name, next);
      if (!ready) {
        waiting++;
        continue;
      }
      try {
        const report = await ingestFile(file, this.opts.ingest);
        this.seen.delete(name);
        this.failing.delete(name);
        this.opts.onReport(report);
      } catch (err) {
        this.opts.onError(file, err);
        const f = this.failing.get(name) ?? { count: 0, since: now };
        f.count++;
        this.failing.set(name, f);
        if (f.count >= (this.opts.maxFailures ?? 5) && now - f.since >= (this.opts.failingForMs ?? 60_000)) {
          this.failing.delete(name);
          this.seen.delete(name);
          await this.refuse(
            file,
            name,
            `could not be read ${f.count} times (${err instanceof Error ? err.message : String(err)})`,
            'fix it and put it back in the inbox; tasks it queued before the error stay queued',
          );
        }
      }
    }
    this.waiting = waiting;
  }

  /** A symlink, device or unreadable file is never followed or retried for ever: it is moved aside with the reason. */
  private async refuse(file: string, name: string, why: string, hint: string): Promise<void> {
    const dir = path.join(path.dirname(this.opts.ingest.ingestedDir), 'quarantine', 'files');
    await fs.mkdir(dir, { recursive: true });
    const stamp = this.opts.ingest.now().toISOString().replace(/[:.]/g, '-');
    try {
      await renameWithRetry(file, path.join(dir, `${stamp}--${name}`));
      await this.opts.ingest.store.rejectLine({
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
      });
    } catch (err) {
      this.opts.onError(file, err);
    }
  }
}

async function lastByte(file: string, size: number): Promise<number | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0];
  } finally {
    await fh.close();
  }
}
