/** `$.loops.GitStatusLoop.steps[0].tool`: the path of a value in a JSON file, as a user would point at it. */
export function toJsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The value at `path` inside parsed JSON, or undefined when the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof key === 'symbol') return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

/** A value shown in an error message: compact JSON, cut to `max` characters. */
export function showValue(value: unknown, max = 60): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    // JSON.stringify gives undefined for functions and symbols, which config JSON never holds.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    // A value nested thousands of levels deep overflows the stack: say so instead of crashing.
    return 'a value nested too deeply to show';
  }
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
