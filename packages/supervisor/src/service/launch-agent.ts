import path from 'node:path';
import { escapeXml } from './escape.js';
import { launchAgentLabel, startArgs, type ServiceSpec } from './service-spec.js';

/**
 * A launchd LaunchAgent: loaded at login (RunAtLoad), restarted only when it did not exit
 * cleanly (KeepAlive.SuccessfulExit=false: `headless stop` exits 0 and stays stopped).
 */
export function launchAgentPlist(spec: ServiceSpec): string {
  const s = (v: string): string => `<string>${escapeXml(v)}</string>`;
  const logs = path.posix.join(spec.root, 'logs');
  const args = [spec.nodePath, ...startArgs(spec)].map((a) => `    ${s(a)}`).join('\n');
  const env = spec.pathEnv
    ? `  <key>EnvironmentVariables</key>\n  <dict>\n    <key>PATH</key>\n    ${s(spec.pathEnv)}\n  </dict>\n`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  ${s(launchAgentLabel(spec.root))}
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>WorkingDirectory</key>
  ${s(spec.root)}
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ExitTimeOut</key>
  <integer>${spec.stopTimeoutSec}</integer>
  <key>ProcessType</key>
  <string>Background</string>
${env}  <key>StandardOutPath</key>
  ${s(path.posix.join(logs, 'launchd.out.log'))}
  <key>StandardErrorPath</key>
  ${s(path.posix.join(logs, 'launchd.err.log'))}
</dict>
</plist>
`;
}
