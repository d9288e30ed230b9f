import { rootHash } from '@headless/core/ipc/socket-path';

/** What every generator needs: how to run `headless start` for one root. Pure data. */
export interface ServiceSpec {
  root: string;
  /** The node executable (process.execPath). */
  nodePath: string;
  /** The CLI entry (packages/cli/dist/bin.js). */
  cliPath: string;
  /** Seconds the supervisor may take to stop (policies.shutdown.graceSec + 5). */
  stopTimeoutSec: number;
  /** PATH for the tree (launchd and systemd start services with a minimal one). */
  pathEnv?: string;
}

/** `headless-<hash of root>`: one service per root, stable across installs. */
export function serviceName(root: string): string {
  return `headless-${rootHash(root)}`;
}

export function launchAgentLabel(root: string): string {
  return `dev.headless.${rootHash(root)}`;
}

/**
 * V8 flags for the supervisor's own process, a small idle daemon (runtime flags cannot shrink a
 * heap that exists already, so they go on the command line): a 1 MB young generation and no
 * optimising compiler, about 20 MB less resident memory; `gc` exposed, so it gives memory back once no task
 * runs (core/src/memory/heap-release.ts). Its children get theirs at fork.
 */
export const SUPERVISOR_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--lite-mode',
  '--expose-gc',
];

/** The argv after the node executable. */
export function startArgs(spec: ServiceSpec): string[] {
  return [...SUPERVISOR_NODE_FLAGS, spec.cliPath, 'start', '--root', spec.root];
}
