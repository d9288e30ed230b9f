/** Keeps the last `maxBytes` (UTF-8) of a sequence of lines; older lines are dropped as new ones come. */
export class TailBuffer {
  private lines: string[] = [];
  private head = 0;
  private bytes = 0;
  private dropped = false;

  constructor(private readonly maxBytes: number) {}

  push(line: string): void {
    const size = Buffer.byteLength(line) + 1;
    this.lines.push(line);
    this.bytes += size;
    // `bytes` counts a newline after every line; the joined text has one fewer.
    while (this.bytes - 1 > this.maxBytes && this.head < this.lines.length - 1) {
      this.bytes -= Buffer.byteLength(this.lines[this.head] ?? '') + 1;
      this.head++;
      this.dropped = true;
    }
    // Compact now and then so the array does not grow with everything ever dropped.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  /** Whether anything was dropped. */
  get truncated(): boolean {
    return this.dropped;
  }

  /** The kept lines joined by `\n`, cut to at most maxBytes from the end. */
  toString(): string {
    const text = this.lines.slice(this.head).join('\n');
    const buf = Buffer.from(text);
    if (buf.length <= this.maxBytes) return text;
    this.dropped = true;
    // May split a multi-byte character at the cut; the replacement char marks the cut.
    return buf.subarray(buf.length - this.maxBytes).toString('utf8');
  }
}
