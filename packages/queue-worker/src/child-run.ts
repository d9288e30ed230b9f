import { installTestFaults } from '@headless/core/faults';
import { guardStdio } from '@headless/core/fs/disk-fault';
import { bootMark } from '@headless/core/boot-trace';
import { earlySpawnerWanted, startEarlySpawner } from '@headless/core/process/early-spawner';
import type { runWorkerProcess } from './main.js';

/**
 * The supervised worker child's body, shared by its two entries: child.ts (a plain fork, which
 * imports main.js here, after the early spawner is on its way) and snapshot-entry.ts (the startup
 * snapshot, where main.js is already evaluated). Everything it reads from the process (argv, env,
 * pid) it reads now, never at module load, which in the snapshot was at build time.
 */
export async function runWorkerChild(loadMain: () => Promise<typeof runWorkerProcess>): Promise<never> {
  installTestFaults('worker');
  // A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
  guardStdio();
  const i = process.argv.indexOf('--root');
  const root = i >= 0 ? process.argv[i + 1] : undefined;
  if (!root) {
    process.stderr.write('worker child: --root <dir> is required\n');
    process.exit(2);
  }
  // The spawner boots on the other core while this process loads, where that pays (early-spawner.ts).
  const earlySpawner = earlySpawnerWanted(process.platform, process.env) ? startEarlySpawner() : undefined;
  try {
    const run = await loadMain();
    bootMark('imports');
    const { exitCode } = await run({
      root,
      console: false,
      untilIdle: false,
      supervised: true,
      ...(earlySpawner ? { earlySpawner } : {}),
    });
    process.exit(exitCode);
  } catch (err) {
    process.stderr.write(`worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}
