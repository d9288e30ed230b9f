/** Environment variables the supervisor sets on each child it forks. */
export const IPC_ENV = {
  supervised: 'HEADLESS_SUPERVISED',
  path: 'HEADLESS_IPC_PATH',
  token: 'HEADLESS_IPC_TOKEN',
  heartbeatMs: 'HEADLESS_HEARTBEAT_MS',
} as const;

/**
 * What only the supervisor's own children may see: the socket and the token that admits a client
 * to it. A tool never gets them, whatever an allow-list says (`HEADLESS_*`, `*`): with them, an
 * agent could speak to the supervisor as the worker.
 */
export const IPC_SECRETS: readonly string[] = [IPC_ENV.path, IPC_ENV.token];
