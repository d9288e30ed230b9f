import { escapeSystemdPath, quoteSystemdArg } from './escape.js';
import { startArgs, type ServiceSpec } from './service-spec.js';

/**
 * A systemd user unit: started at login (default.target), restarted after a failure; on stop
 * systemd sends SIGTERM to the supervisor only (KillMode=mixed), lets it stop its tree, and
 * SIGKILLs whatever is left after TimeoutStopSec.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const exec = [spec.nodePath, ...startArgs(spec)].map((a) => quoteSystemdArg(a)).join(' ');
  const lines = [
    '[Unit]',
    `Description=headless supervisor for ${escapeSystemdPath(spec.root)}`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    `WorkingDirectory=${escapeSystemdPath(spec.root)}`,
    ...(spec.pathEnv ? [`Environment=${quoteSystemdArg(`PATH=${spec.pathEnv}`)}`] : []),
    'Restart=on-failure',
    'RestartSec=5',
    'KillMode=mixed',
    `TimeoutStopSec=${spec.stopTimeoutSec}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}
