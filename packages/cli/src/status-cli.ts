import { guardStdio } from '@headless/core/fs/disk-fault';
import { newProgram } from './program.js';
import { runProgram } from './run-program.js';

/**
 * `headless status` on its own. The bundle builds this module into dist/status.js without code
 * splitting, so esbuild's tree-shaking keeps only what status uses: its schemas are written with
 * `zod/mini`, whose functions shake down to a few dozen KB, where classic zod's methods keep all of
 * it (~300 KB to compile and evaluate on every start). Scripts and people poll status; it must start
 * fast. bin.ts sends the `status` argv here.
 */
export async function runStatusCli(argv: readonly string[]): Promise<number> {
  // A broken stdout pipe (`headless status | head`) must not end status with an unhandled 'error'.
  guardStdio();
  // Before status's schemas are built (zod decides then whether a schema gets a compiled parser).
  (await import('@headless/core/config/zod-jit')).useZodWithoutJit();
  const { register } = await import('./commands/status.js');
  const program = newProgram();
  register(program);
  return runProgram(program, argv);
}
