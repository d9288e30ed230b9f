import fs from 'node:fs/promises';
import path from 'node:path';
import { nodeCrypto } from '../lazy-builtins.js';
import * as z from 'zod/mini';
import { writeFileAtomic } from '../fs/atomic.js';
import { parseState } from '../run-state/state-file.js';
import { isNotFound, type RejectedLine } from './store.js';

const RejectedLineSchema = z.looseObject({
  file: z.string(),
  line: z.number().check(z.int()),
  reason: z.string(),
  raw: z.string(),
  rawBytes: z.number().check(z.int(), z.nonnegative()),
  at: z.string(),
});

/** Input lines that never became tasks, one file each in `.tasks/quarantine/lines/`. */
export class RejectedLines {
  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  async add(rejected: RejectedLine): Promise<{ key: string; created: boolean }> {
    await fs.mkdir(this.dir, { recursive: true });
    const safeFile = rejected.file.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
    // The key depends on the line's content, so reading the same inbox file again after a crash
    // finds the same entry instead of adding a second one (and the ledger gets no second line).
    const digest = nodeCrypto()
      .createHash('sha256')
      .update(`${rejected.raw}\n${rejected.reason}`)
      .digest('hex')
      .slice(0, 10);
    const key = `${safeFile}--L${rejected.line}--${digest}`;
    const file = path.join(this.dir, `${key}.json`);
    const exists = await fs.access(file).then(
      () => true,
      () => false,
    );
    if (exists) return { key, created: false };
    await writeFileAtomic(file, `${JSON.stringify(rejected, null, 1)}\n`, { fsync: this.fsync });
    return { key, created: true };
  }

  async keys(): Promise<string[]> {
    try {
      return (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async list(): Promise<(RejectedLine & { key: string })[]> {
    const out: (RejectedLine & { key: string })[] = [];
    for (const key of (await this.keys()).sort()) {
      const file = path.join(this.dir, `${key}.json`);
      try {
        const r = parseState(file, await fs.readFile(file, 'utf8'), RejectedLineSchema);
        out.push({ ...r, key });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  async remove(key: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${key}.json`), { force: true });
  }
}
