import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type winston from 'winston';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '@headless/core/config/schema';
import { waitFor } from '@headless/test-support/wait-for';
import { ChildSlot } from './child-slot.js';
import { timingFromPolicies } from './timing.js';

/**
 * The worker's startup snapshot is an optimisation: a blob Node cannot use (damaged on disk, made
 * for another CPU) must cost a boot, not the worker. A real fork with a damaged blob (Node aborts
 * before any JavaScript runs), then the same slot's next fork.
 */
describe('ChildSlot: a worker forked from a startup snapshot that never gets ready', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-snapshot-slot-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('is forked the plain way from then on, and the log says why once', async () => {
    const blob = path.join(dir, 'worker.blob');
    await fs.writeFile(blob, Buffer.alloc(4096, 7)); // not a snapshot: Node refuses it at start
    const entry = path.join(dir, 'child.cjs');
    const seen = path.join(dir, 'exec-argv.jsonl');
    // Records the flags it was forked with, then stays up like an idle worker.
    await fs.writeFile(
      entry,
      `require('node:fs').appendFileSync(${JSON.stringify(seen)}, JSON.stringify(process.execArgv) + '\\n');\n` +
        'setInterval(() => {}, 1000);\n',
    );
    const warnings: string[] = [];
    const log = { info: () => undefined, error: () => undefined, warn: (m: string) => warnings.push(m) };
    let snapshotAsks = 0;
    const slot = new ChildSlot({
      component: 'worker',
      entry,
      root: dir,
      env: { ...process.env },
      timing: timingFromPolicies(PoliciesConfig.parse({}), { baseMs: 10, staleAfterMs: 60_000 }),
      log: log as unknown as winston.Logger,
      output: () => undefined,
      onChange: () => undefined,
      snapshotArgs: () => (snapshotAsks++, ['--snapshot-blob', blob]),
    });
    slot.start();
    try {
      const lines = await waitFor(
        'the plain fork',
        async () => (existsSync(seen) ? (await fs.readFile(seen, 'utf8')).trim().split('\n') : undefined),
        20_000,
      );
      // The snapshot fork never ran a line; the one after it ran without the flag.
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '[]')).not.toContain('--snapshot-blob');
      expect(snapshotAsks).toBe(1);
      expect(warnings.filter((w) => w.includes('startup snapshot'))).toHaveLength(1);
      expect(warnings[0]).toMatch(/exited before it was ready .* forked without it from now on/);
    } finally {
      await slot.stop(2000, () => false);
    }
  }, 30_000);
});
