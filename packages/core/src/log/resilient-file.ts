import type winston from 'winston';
import TransportStream from 'winston-transport';
import type DailyRotateFile from 'winston-daily-rotate-file';
import { WriteFaultWatch } from '../fs/disk-fault.js';

/** Records kept while the file is not open yet; more than that are counted as dropped. */
export const MAX_HELD_RECORDS = 10_000;

export interface ResilientFileOptions {
  /**
   * Builds the real file transport (it may load winston-daily-rotate-file first); called again
   * after an outage (a fresh file stream).
   */
  create: () => DailyRotateFile | Promise<DailyRotateFile>;
  /** The folder the files live in (where the probe writes). */
  dir: string;
  /** For messages: `logs/worker-*.log`. */
  what: string;
  /** Told once when writes fail and once when they work again. */
  say: (message: string) => void;
  format?: winston.Logform.Format;
  level?: string;
  probeBaseMs?: number;
}

/**
 * A daily-rotating file transport that a failing file system cannot kill. winston-daily-rotate-file
 * (file-stream-rotator underneath) re-emits a write error on a stream nobody listens to, and creates
 * folders synchronously inside `write` when it rotates: either ends the process. Here every error of
 * the inner transport is caught; while writes fail, records are counted and dropped (a log is not
 * worth stopping tasks for), and a probe with backoff reopens a fresh file once they work again.
 */
export class ResilientFileTransport extends TransportStream {
  private inner: DailyRotateFile | undefined;
  private readonly watch: WriteFaultWatch;
  private shut = false;
  /** Records before the first open (undefined once it happened). */
  private held: unknown[] | undefined = [];
  private firstOpen: Promise<void> | undefined;

  constructor(private readonly opts: ResilientFileOptions) {
    super({ ...(opts.format ? { format: opts.format } : {}), ...(opts.level ? { level: opts.level } : {}) });
    this.watch = new WriteFaultWatch({
      dir: opts.dir,
      what: opts.what,
      say: opts.say,
      ...(opts.probeBaseMs !== undefined ? { baseMs: opts.probeBaseMs } : {}),
      onRecovered: () => {
        if (!this.shut) void this.open();
      },
    });
    // The stream itself must never emit 'error' (winston would re-emit it on the logger).
    this.on('error', () => undefined);
    void this.openFirst();
  }

  /** Opens the file the first time and writes the records held until then. */
  private openFirst(): Promise<void> {
    this.firstOpen ??= this.open().then(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const info of held) this.toFile(info);
    });
    return this.firstOpen;
  }

  /** False while writes fail (records are being dropped). */
  get healthy(): boolean {
    return this.watch.healthy && this.inner !== undefined;
  }

  private async open(): Promise<void> {
    try {
      const inner = await this.opts.create();
      const onError = (err: unknown): void => this.fail(inner, err);
      inner.on('error', onError);
      // The file stream's own errors are not forwarded by the transport: listen to it directly.
      (inner as unknown as { logStream?: NodeJS.EventEmitter }).logStream?.on('error', onError);
      this.inner = inner;
    } catch (err) {
      this.inner = undefined;
      this.watch.fault(err);
    }
  }

  private fail(inner: DailyRotateFile, err: unknown): void {
    if (inner !== this.inner) return; // a stream dropped earlier, still complaining
    this.inner = undefined;
    this.watch.fault(err);
    try {
      inner.close?.();
    } catch {
      // it is broken already; its listeners keep swallowing what it emits
    }
  }

  override log(info: unknown, next: () => void): void {
    if (this.held) {
      if (this.held.length < MAX_HELD_RECORDS) this.held.push(info);
      else this.watch.dropped++;
    } else {
      this.toFile(info);
    }
    next();
  }

  private toFile(info: unknown): void {
    const inner = this.inner;
    if (!inner) {
      this.watch.dropped++;
    } else {
      try {
        inner.log?.(info, () => undefined);
      } catch (err) {
        this.watch.dropped++;
        this.fail(inner, err);
      }
    }
  }

  private closing: Promise<void> | undefined;
  /** winston ends each transport (its piped stream) once the logger has handed it every record. */
  private readonly finished = new Promise<void>((resolve) => this.once('finish', () => resolve()));

  /**
   * Ends the file stream once every record handed to this transport is written to it; resolves once
   * its data is handed to the OS (or the stream is broken). winston calls `close` when the logger
   * ends, before the last records have passed through: closing the file then would drop them.
   */
  closeAndWait(): Promise<void> {
    this.closing ??= (async () => {
      await this.finished;
      await this.openFirst();
      this.shut = true;
      this.watch.dispose();
      const inner = this.inner;
      this.inner = undefined;
      if (!inner) return;
      await new Promise<void>((resolve) => {
        inner.once('finish', () => resolve());
        inner.once('error', () => resolve());
        try {
          inner.close?.();
        } catch {
          resolve();
        }
      });
    })();
    return this.closing;
  }

  override close(): void {
    void this.closeAndWait();
  }
}
