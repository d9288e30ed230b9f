import * as z from 'zod/mini';

/**
 * Parsing without zod's JIT (no compiled parser per object schema) for a short-lived command; must
 * run before the schemas it should cover are built. See cli/src/zod-mode.ts.
 */
export function useZodWithoutJit(): void {
  z.config({ jitless: true });
}
