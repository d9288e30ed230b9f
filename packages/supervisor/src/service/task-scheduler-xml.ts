import { escapeXml, quoteWindowsArg } from './escape.js';
import { serviceName, SUPERVISOR_NODE_FLAGS, type ServiceSpec } from './service-spec.js';

export interface TaskSchedulerSpec extends ServiceSpec {
  /** DOMAIN\user of the current user: the logon trigger and the principal. */
  userId: string;
}

/**
 * A Task Scheduler task that starts the supervisor at the user's logon with no console window:
 * `conhost.exe --headless` gives node a console that is never shown (windows.md 1). It runs as
 * the user (InteractiveToken, LeastPrivilege: no admin, the user's credentials and env), never
 * stops on battery, has no 72 h limit, and restarts after a failure as a backstop.
 */
export function taskSchedulerXml(spec: TaskSchedulerSpec): string {
  // The paths are always quoted (the issue's form), so a path with spaces never splits.
  const argLine = [
    '--headless',
    quoteWindowsArg(spec.nodePath, true),
    ...SUPERVISOR_NODE_FLAGS,
    quoteWindowsArg(spec.cliPath, true),
    'start',
    '--root',
    quoteWindowsArg(spec.root, true),
  ].join(' ');
  const user = escapeXml(spec.userId);
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>${escapeXml(`headless supervisor for ${spec.root}`)}</Description>
    <URI>\\${escapeXml(serviceName(spec.root))}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>${user}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>${user}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>5</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>conhost.exe</Command>
      <Arguments>${escapeXml(argLine)}</Arguments>
      <WorkingDirectory>${escapeXml(spec.root)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`;
}

/** schtasks reads the file as UTF-16LE and needs the BOM (a UTF-8 file that says UTF-16 is "malformed"). */
export function taskSchedulerFileBytes(xml: string): Buffer {
  return Buffer.from('\ufeff' + xml, 'utf16le');
}
