import { createReadStream } from 'node:fs';

export interface InboxLine {
  /** 1-based line number in the file. */
  line: number;
  /** The text without its line ending (CRLF or LF); a BOM at the start of the file is removed. */
  text: string;
  /** Bytes of the line as written; when over the limit, `text` holds only the first `keepBytes`. */
  bytes: number;
  tooLong: boolean;
}

/**
 * Streams the lines of a file without ever holding a whole over-long line: a 1 GB line costs at
 * most `maxLineBytes` of memory, and is reported as too long with its first bytes kept for the user.
 */
export async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<InboxLine> {
  const stream = createReadStream(file);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let lineBytes = 0;
  let lineNo = 0;
  let first = true;
  const finish = (): InboxLine => {
    lineNo++;
    let buf = Buffer.concat(parts);
    if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      buf = buf.subarray(3);
      lineBytes -= 3;
    }
    first = false;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d && lineBytes <= maxLineBytes)
      buf = buf.subarray(0, buf.length - 1);
    const out: InboxLine = {
      line: lineNo,
      text: buf.toString('utf8'),
      bytes: lineBytes,
      tooLong: lineBytes > maxLineBytes,
    };
    parts = [];
    partBytes = 0;
    lineBytes = 0;
    return out;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      lineBytes += piece.length;
      // Keep only what fits (plus a little so the CR check above stays right); count the rest.
      const room = maxLineBytes + 4 - partBytes;
      if (room > 0) {
        const kept = piece.subarray(0, Math.min(room, piece.length));
        parts.push(Buffer.from(kept));
        partBytes += kept.length;
      }
      if (nl === -1) break;
      yield finish();
      start = nl + 1;
    }
  }
  if (lineBytes > 0) yield finish();
}
