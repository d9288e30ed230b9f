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
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (reason: string): never => {
    throw new Fault(i, reason);
  };
  const describeHere = (): string => (i >= text.length ? 'end of file' : `${JSON.stringify(text[i])}`);
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`unexpected ${describeHere()} (expected "${word}")`);
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text[i] as string;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < ' ') fail('a control character (such as a line break) inside a string');
      if (ch === '\\') {
        const esc = text[i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a bad \\u escape');
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else fail('a bad escape in a string');
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`unexpected ${describeHere()}`);
    i += (m as RegExpExecArray)[0].length;
    if (/[0-9]/.test(text[i] ?? '')) fail('a number with a leading zero');
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail(`unexpected ${describeHere()} (expected a value)`);
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`unexpected ${describeHere()} (expected a double-quoted key)`);
      string();
      ws();
      if (text[i] !== ':') fail(`unexpected ${describeHere()} (expected ':')`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`unexpected ${describeHere()} (expected ',' or '}')`);
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`unexpected ${describeHere()} (expected ',' or ']')`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describeHere()} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    return { offset: err.offset, ...lineColumn(text, err.offset), reason: err.reason };
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
