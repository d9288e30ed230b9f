import module from 'node:module';

/**
 * Turns on Node's on-disk compile cache (Node >= 22.1) before the rest of a process is loaded: a
 * restarted worker or a `headless status` then skips compiling its ~500 modules again.
 * Harmless where unsupported.
 */
export function enableCompileCache(): void {
  try {
    module.enableCompileCache?.();
  } catch {
    // an unwritable cache folder only costs speed
  }
}
