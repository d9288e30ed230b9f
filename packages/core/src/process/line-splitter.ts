import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is cut into pieces: a tool printing 100 MB without a newline must not hold it all. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns chunks of a byte stream into lines (without their `\n` or `\r\n`), decoding UTF-8 across
 * chunk boundaries.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    let rest = text.slice(start);
    while (rest.length > this.maxLineChars) {
      this.onLine(rest.slice(0, this.maxLineChars));
      rest = rest.slice(this.maxLineChars);
    }
    this.partial = rest;
  }

  /** The unterminated last line so far (a prompt such as `Continue? [y/N] ` never gets its newline). */
  pending(): string {
    return this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
  }

  /** Emits the unterminated last line, if any. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let i = 0; i < clean.length || i === 0; i += this.maxLineChars)
      this.onLine(clean.slice(i, i + this.maxLineChars));
  }
}
