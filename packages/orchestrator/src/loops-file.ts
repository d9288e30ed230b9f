import fs from 'node:fs/promises';
import * as z from 'zod/mini';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { parseState } from '@headless/core/run-state/state-file';
import type { RootLayout } from '@headless/core/paths';
import type { LoopState } from './loop-state.js';

/** `.tasks/run/loops.json`: the loops' state for `headless status`, readable without IPC. */
export interface LoopsFile {
  /** The orchestrator that wrote it; status compares it with a live process before trusting `running`. */
  pid: number;
  updatedAt: string;
  loops: Record<string, LoopState>;
}

export const LoopsFileSchema = z.looseObject({
  pid: z.number().check(z.int(), z.positive()),
  updatedAt: z.string(),
  loops: z.record(z.string(), z.looseObject({})),
});

export function loopsFilePath(l: RootLayout): string {
  return l.loopsState;
}

/**
 * Replaces the file in one step (write a unique temp file, flush, rename): a reader sees the old
 * state or the new one, never half of it.
 */
export async function writeLoopsFile(l: RootLayout, content: LoopsFile): Promise<void> {
  await fs.mkdir(l.runDir, { recursive: true });
  await writeFileAtomic(loopsFilePath(l), JSON.stringify(content, null, 2) + '\n');
}

/** The last state written, or undefined when no orchestrator has run in this root. */
export async function readLoopsFile(l: RootLayout): Promise<LoopsFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(loopsFilePath(l), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseState(loopsFilePath(l), text, LoopsFileSchema) as unknown as LoopsFile;
}
