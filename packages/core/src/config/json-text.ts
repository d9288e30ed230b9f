/**
 * Where a JSON text first goes wrong, as line and column (1-based). V8's JSON.parse message gives a
 * position for most errors but not all (`Unexpected token '}', "{"a": tru}" is not valid JSON`), so we
 * find the spot ourselves with a small scanner that follows the JSON grammar and stops at the first fault.
 */
export interface JsonSyntaxFault {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

class Fault extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Returns the first syntax fault of `text`, or null when it is valid JSON. */
export function findJsonSyntaxFault(text: string): JsonSyntaxFault | null {
  const scan = new Scanner(text);
  try {
    scan.document();
    return null;
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    return { offset: err.offset, ...lineColumn(text, err.offset), reason: err.reason };
  }
}

/** A recursive-descent walk of the JSON grammar that throws a Fault at the first character off it. */
class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.ws();
    if (this.i < this.text.length) this.fail(`unexpected ${this.here()} after the end of the JSON value`);
  }

  private ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i] as string)) this.i++;
  }

  private fail(reason: string): never {
    throw new Fault(this.i, reason);
  }

  private here(): string {
    return this.i >= this.text.length ? 'end of file' : `${JSON.stringify(this.text[this.i])}`;
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.i] !== ch) this.fail(`unexpected ${this.here()} (expected "${word}")`);
      this.i++;
    }
  }

  private string(): void {
    const text = this.text;
    this.i++; // opening quote
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string');
      const ch = text[this.i] as string;
      if (ch === '"') {
        this.i++;
        return;
      }
      if (ch < ' ') this.fail('a control character (such as a line break) inside a string');
      if (ch !== '\\') {
        this.i++;
        continue;
      }
      const esc = text[this.i + 1];
      if (esc === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.i + 2, this.i + 6))) this.fail('a bad \\u escape');
        this.i += 6;
      } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) this.i += 2;
      else this.fail('a bad escape in a string');
    }
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!m) this.fail(`unexpected ${this.here()}`);
    this.i += m[0].length;
    if (/[0-9]/.test(this.text[this.i] ?? '')) this.fail('a number with a leading zero');
  }

  private value(): void {
    this.ws();
    const ch = this.text[this.i];
    if (ch === '{') return this.container('}', () => this.member());
    if (ch === '[') return this.container(']', () => this.value());
    if (ch === '"') return this.string();
    if (ch === 't') return this.literal('true');
    if (ch === 'f') return this.literal('false');
    if (ch === 'n') return this.literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    this.fail(`unexpected ${this.here()} (expected a value)`);
  }

  private member(): void {
    this.ws();
    if (this.text[this.i] !== '"') this.fail(`unexpected ${this.here()} (expected a double-quoted key)`);
    this.string();
    this.ws();
    if (this.text[this.i] !== ':') this.fail(`unexpected ${this.here()} (expected ':')`);
    this.i++;
    this.value();
  }

  /** An object or array: its opening character is at i; items separated by commas until `close`. */
  private container(close: '}' | ']', item: () => void): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      item();
      this.ws();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === close) {
        this.i++;
        return;
      }
      this.fail(`unexpected ${this.here()} (expected ',' or '${close}')`);
    }
  }
}

/** 1-based line and column of a character offset (a CRLF counts as one line break). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
