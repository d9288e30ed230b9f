import { createReadStream } from 'node:fs';

export interface InboxLine {
  /** 1-based line number in the file. */
  line: number;
  /** The text without its line ending (CRLF or LF); a BOM at the start of the file is removed. */
  text: string;
  /** Bytes of the line as written; when over the limit, `text` holds only the first bytes. */
  bytes: number;
  tooLong: boolean;
  /** Byte offset just after this line (its newline included): where a later read resumes. */
  endOffset: number;
}

export interface ReadLinesOptions {
  /** Byte offset to start at (the end of a line read earlier). */
  start?: number;
  /** The number of the first line read. */
  firstLine?: number;
  /** Leave out a last line that has no newline yet: its writer may still be writing it. */
  completeOnly?: boolean;
}

/**
 * Streams the lines of a file without ever holding a whole over-long line: a 1 GB line costs at
 * most `maxLineBytes` of memory, and is reported as too long with its first bytes kept for the user.
 */
export async function* readLines(
  file: string,
  maxLineBytes: number,
  opts: ReadLinesOptions = {},
): AsyncGenerator<InboxLine> {
  const start = opts.start ?? 0;
  const stream = createReadStream(file, { start });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let lineBytes = 0;
  let lineNo = (opts.firstLine ?? 1) - 1;
  let offset = start;
  let first = start === 0;
  const finish = (terminated: boolean): InboxLine => {
    lineNo++;
    const endOffset = offset + lineBytes + (terminated ? 1 : 0);
    offset = endOffset;
    let bytes = lineBytes;
    let buf = Buffer.concat(parts);
    if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      buf = buf.subarray(3);
      bytes -= 3;
    }
    first = false;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d && bytes <= maxLineBytes)
      buf = buf.subarray(0, buf.length - 1);
    const out: InboxLine = {
      line: lineNo,
      text: buf.toString('utf8'),
      bytes,
      tooLong: bytes > maxLineBytes,
      endOffset,
    };
    parts = [];
    partBytes = 0;
    lineBytes = 0;
    return out;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(from, end);
      lineBytes += piece.length;
      // Keep only what fits (plus a little so the CR check above stays right); count the rest.
      const room = maxLineBytes + 4 - partBytes;
      if (room > 0) {
        const kept = piece.subarray(0, Math.min(room, piece.length));
        parts.push(Buffer.from(kept));
        partBytes += kept.length;
      }
      if (nl === -1) break;
      yield finish(true);
      from = nl + 1;
    }
  }
  if (lineBytes > 0 && !opts.completeOnly) yield finish(false);
}
