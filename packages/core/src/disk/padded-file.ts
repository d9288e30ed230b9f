import * as z from 'zod/mini';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A small state file that can still be rewritten when the disk is full: it is allocated once at a
 * fixed size (JSON padded with spaces) and later overwritten in place, which needs no new blocks on
 * ext4, NTFS or tmpfs. So `headless status` can show "paused: low disk" exactly when it matters.
 * Not atomic like writeFileAtomic: one write() of a few KB, and readers trim and parse (a reader
 * that sees a torn mix gets a parse error and treats the file as absent).
 */
export class PaddedStateFile {
  private fh: fs.FileHandle | undefined;

  constructor(
    readonly file: string,
    private readonly size = 4096,
  ) {}

  /** Writes `value`; false when it could not (too big, or the file system refused). Never throws. */
  async write(value: unknown): Promise<boolean> {
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > this.size - 1) return false;
    const buf = Buffer.alloc(this.size, 0x20);
    buf.write(text, 0, 'utf8');
    buf[this.size - 1] = 0x0a;
    try {
      let fh = this.fh;
      if (!fh) {
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        // Created if missing ('a+'), then opened for writing at offset 0 without truncating ('r+').
        await (await fs.open(this.file, 'a+')).close();
        fh = this.fh = await fs.open(this.file, 'r+');
      }
      const { bytesWritten } = await fh.write(buf, 0, buf.length, 0);
      return bytesWritten === buf.length;
    } catch {
      await this.close();
      return false;
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}

/** The padded file's JSON through its schema; absent or damaged reads as undefined. */
export async function readPaddedStateFile<S extends z.core.$ZodType>(
  file: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  try {
    const parsed = z.safeParse(schema, JSON.parse((await fs.readFile(file, 'utf8')).trim()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
