/**
 * `node:crypto` at its first use instead of at import. Importing it costs ~8 ms of a CLI start here
 * (Node loads its ~20 internal modules, and an ESM import builds a facade over every export), and
 * `status`, which never writes, hashes or takes a lock, imports the modules that do. Node caches the
 * module: later calls are a lookup.
 */
export const nodeCrypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/**
 * `node:child_process` at its first use, for modules that run a program only on some platforms
 * (process/identity.ts asks `ps` on macOS): importing it costs ~5 ms of a `status` start here.
 */
export const nodeChildProcess = (): typeof import('node:child_process') =>
  process.getBuiltinModule('node:child_process');
