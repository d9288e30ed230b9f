import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { nodeCrypto } from '../lazy-builtins.js';
import { TaskSpec } from '../task/schema.js';

export interface SourceLine {
  spec: TaskSpec;
  /** The inbox file's own name (without the ingest stamp), line and hash, as ingest records them. */
  source: { file: string; line: number; hash: string };
  from: string;
}

/**
 * The last line of the kept inbox files (`.tasks/ingested/<stamp>--<name>`) that defines each
 * wanted id. Files are read oldest first, so a later "rerun" line wins.
 */
export async function findSourceLines(
  ingestedDir: string,
  ids: ReadonlySet<string>,
): Promise<Map<string, SourceLine>> {
  const found = new Map<string, SourceLine>();
  let names: string[];
  try {
    names = (await fs.readdir(ingestedDir)).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    const file = path.join(ingestedDir, name);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const original = name.includes('--') ? name.slice(name.indexOf('--') + 2) : name;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const raw of lines) {
      lineNo++;
      // Ingest strips a BOM and a CR before hashing; so must we, or a replay would not be recognised.
      const text = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
      // Cheap pre-filter: most lines name other tasks.
      if (!text.includes('"id"')) continue;
      let value: unknown;
      try {
        value = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        continue;
      }
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !ids.has(id)) continue;
      const parsed = TaskSpec.safeParse(value);
      if (!parsed.success) continue;
      const hash = nodeCrypto().createHash('sha256').update(text).digest('hex').slice(0, 16);
      found.set(id, { spec: parsed.data, source: { file: original, line: lineNo, hash }, from: name });
    }
  }
  return found;
}
