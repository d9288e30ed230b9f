/**
 * node-ipc's module, imported statically by the worker's startup snapshot (queue-worker's
 * snapshot-entry.ts) so it is evaluated in the build; client.ts loads it lazily everywhere else.
 */
export { IPCModule } from 'node-ipc';
