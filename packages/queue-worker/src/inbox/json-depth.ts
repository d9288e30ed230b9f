/**
 * How deeply a JSON text nests arrays and objects, counted up to `limit + 1` (then it stops: the
 * answer is "too deep"). Brackets inside strings do not count. Pure and iterative: it exists so a
 * line like `[[[[…100,000 levels…]]]]` is refused with a reason before the parser, the schema or an
 * error message that quotes the value recurses into it and overflows the stack.
 */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
  }
  return max;
}
