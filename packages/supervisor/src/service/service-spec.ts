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

/** The argv after the node executable. */
export function startArgs(spec: ServiceSpec): string[] {
  return [spec.cliPath, 'start', '--root', spec.root];
}
