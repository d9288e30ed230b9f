import path from 'node:path';
import { launchAgentPlist } from './launch-agent.js';
import { launchAgentLabel, serviceName, type ServiceSpec } from './service-spec.js';
import { systemdUnit } from './systemd-unit.js';
import { taskSchedulerFileBytes, taskSchedulerXml } from './task-scheduler-xml.js';
import { RUN_DIR_PARTS } from '@headless/core/paths';

export type ServiceAction = 'install' | 'uninstall' | 'status';

export interface PlannedFile {
  path: string;
  /** What is written (bytes), and how it reads (text, for --print). */
  bytes: Buffer;
  text: string;
}

export interface PlannedCommand {
  file: string;
  args: string[];
  /** A failure of this command does not fail the action (e.g. stopping what is not running). */
  optional?: boolean;
}

/** Everything an action does, decided up front: `--print` shows it, install runs it. Pure. */
export interface ServicePlan {
  action: ServiceAction;
  /** The service's name on this platform (task name, unit name, launchd label). */
  name: string;
  write: PlannedFile[];
  remove: string[];
  commands: PlannedCommand[];
  /** What to do by hand when a command is missing or fails. */
  manual: string[];
}

export interface HostInfo {
  platform: NodeJS.Platform;
  home: string;
  uid: number | undefined;
  /** DOMAIN\user (Windows). */
  userId: string;
}

export function planService(action: ServiceAction, spec: ServiceSpec, host: HostInfo): ServicePlan {
  if (host.platform === 'win32') return planWindows(action, spec, host);
  if (host.platform === 'darwin') return planMac(action, spec, host);
  return planSystemd(action, spec, host);
}

function planWindows(action: ServiceAction, spec: ServiceSpec, host: HostInfo): ServicePlan {
  const name = serviceName(spec.root);
  const xmlPath = path.win32.join(spec.root, ...RUN_DIR_PARTS, `${name}.task.xml`);
  const base = { action, name, write: [], remove: [], commands: [], manual: [] } satisfies ServicePlan;
  if (action === 'status')
    return { ...base, commands: [{ file: 'schtasks', args: ['/Query', '/TN', name, '/V', '/FO', 'LIST'] }] };
  if (action === 'uninstall') {
    return {
      ...base,
      commands: [{ file: 'schtasks', args: ['/Delete', '/TN', name, '/F'] }],
      manual: [`schtasks /Delete /TN ${name} /F`],
    };
  }
  const xml = taskSchedulerXml({ ...spec, userId: host.userId });
  return {
    ...base,
    write: [{ path: xmlPath, bytes: taskSchedulerFileBytes(xml), text: xml }],
    commands: [{ file: 'schtasks', args: ['/Create', '/TN', name, '/XML', xmlPath, '/F'] }],
    manual: [
      `schtasks /Create /TN ${name} /XML "${xmlPath}" /F`,
      `schtasks /Run /TN ${name}  (to start it now)`,
    ],
  };
}

function planSystemd(action: ServiceAction, spec: ServiceSpec, host: HostInfo): ServicePlan {
  const name = `${serviceName(spec.root)}.service`;
  const unitPath = path.posix.join(host.home, '.config', 'systemd', 'user', name);
  const base = { action, name, write: [], remove: [], commands: [], manual: [] } satisfies ServicePlan;
  if (action === 'status')
    return { ...base, commands: [{ file: 'systemctl', args: ['--user', 'status', '--no-pager', name] }] };
  if (action === 'uninstall') {
    return {
      ...base,
      remove: [unitPath],
      commands: [
        { file: 'systemctl', args: ['--user', 'disable', '--now', name], optional: true },
        { file: 'systemctl', args: ['--user', 'daemon-reload'] },
      ],
      manual: [`systemctl --user disable --now ${name}`, `rm ${unitPath}`, 'systemctl --user daemon-reload'],
    };
  }
  const unit = systemdUnit(spec);
  return {
    ...base,
    write: [{ path: unitPath, bytes: Buffer.from(unit), text: unit }],
    commands: [
      { file: 'systemctl', args: ['--user', 'daemon-reload'] },
      { file: 'systemctl', args: ['--user', 'enable', '--now', name] },
    ],
    manual: [
      'systemctl --user daemon-reload',
      `systemctl --user enable --now ${name}`,
      `loginctl enable-linger $USER  (optional: keep it running when you are logged out)`,
    ],
  };
}

function planMac(action: ServiceAction, spec: ServiceSpec, host: HostInfo): ServicePlan {
  const label = launchAgentLabel(spec.root);
  const plistPath = path.posix.join(host.home, 'Library', 'LaunchAgents', `${label}.plist`);
  const domain = `gui/${host.uid ?? 501}`;
  const base = { action, name: label, write: [], remove: [], commands: [], manual: [] } satisfies ServicePlan;
  if (action === 'status')
    return { ...base, commands: [{ file: 'launchctl', args: ['print', `${domain}/${label}`] }] };
  if (action === 'uninstall') {
    return {
      ...base,
      remove: [plistPath],
      commands: [{ file: 'launchctl', args: ['bootout', `${domain}/${label}`], optional: true }],
      manual: [`launchctl bootout ${domain}/${label}`, `rm ${plistPath}`],
    };
  }
  const plist = launchAgentPlist(spec);
  return {
    ...base,
    write: [{ path: plistPath, bytes: Buffer.from(plist), text: plist }],
    commands: [
      // A loaded agent must be booted out before it can be bootstrapped again.
      { file: 'launchctl', args: ['bootout', `${domain}/${label}`], optional: true },
      { file: 'launchctl', args: ['bootstrap', domain, plistPath] },
    ],
    manual: [`launchctl bootstrap ${domain} ${plistPath}`],
  };
}

/** `--print`: exactly what the action would write and run. */
export function describePlan(plan: ServicePlan): string {
  const out: string[] = [];
  for (const f of plan.write)
    out.push(
      `# write ${f.path}${f.bytes.length !== Buffer.byteLength(f.text) ? ' (UTF-16LE with BOM)' : ''}`,
      f.text.trimEnd(),
      '',
    );
  for (const r of plan.remove) out.push(`# remove ${r}`);
  for (const c of plan.commands)
    out.push(`# run ${[c.file, ...c.args].join(' ')}${c.optional ? '  (failure ignored)' : ''}`);
  return out.join('\n') + '\n';
}
