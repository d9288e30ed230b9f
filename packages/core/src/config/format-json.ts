/**
 * JSON laid out the way prettier lays it out (objects one key per line, arrays on one line when they
 * fit), so files that `headless init` writes pass the repo's `prettier --check` unchanged.
 */
export function formatJson(value: unknown, printWidth = 110): string {
  return `${render(value, 0, 0, 0, printWidth)}\n`;
}

/**
 * `used`: characters already on the line before this value (indent, key); `trail`: characters after
 * it (1 for a comma, 0 for the last entry), which prettier counts against the width too.
 */
function render(value: unknown, indent: number, used: number, trail: number, width: number): string {
  const pad = '  '.repeat(indent + 1);
  const close = '  '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = flatArray(value);
    if (flat !== undefined && used + flat.length + trail <= width) return flat;
    const items = value.map(
      (v, i) => pad + render(v, indent + 1, pad.length, i < value.length - 1 ? 1 : 0, width),
    );
    return `[\n${items.join(',\n')}\n${close}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, v], i) => {
      const head = `${pad}${JSON.stringify(k)}: `;
      return head + render(v, indent + 1, head.length, i < entries.length - 1 ? 1 : 0, width);
    });
    return `{\n${lines.join(',\n')}\n${close}}`;
  }
  return JSON.stringify(value);
}

/** An array as one line, or undefined when it holds a non-empty object (prettier breaks those). */
function flatArray(value: unknown[]): string | undefined {
  const parts: string[] = [];
  for (const v of value) {
    if (Array.isArray(v)) {
      const inner = v.length === 0 ? '[]' : flatArray(v);
      if (inner === undefined) return undefined;
      parts.push(inner);
    } else if (v !== null && typeof v === 'object') {
      if (Object.keys(v).length > 0) return undefined;
      parts.push('{}');
    } else parts.push(JSON.stringify(v));
  }
  return `[${parts.join(', ')}]`;
}
