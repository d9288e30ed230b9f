/** A desktop notification as one process to run (no shell), or undefined when this platform has no way. */
export interface DesktopCommand {
  executable: string;
  args: string[];
}

/** The AppUserModelID of Windows PowerShell: a toast needs a registered app to come from. */
const POWERSHELL_AUMID = '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe';

/** A PowerShell single-quoted string: only `'` is special, and doubling it escapes it. */
const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The toast script. Texts go in as PowerShell literals and are XML-escaped by PowerShell itself,
 * so nothing in an event can break out of the script or the toast XML.
 */
export function windowsToastScript(title: string, body: string): string {
  return [
    '$ErrorActionPreference = "Stop"',
    `$t = [Security.SecurityElement]::Escape(${psQuote(title)})`,
    `$b = [Security.SecurityElement]::Escape(${psQuote(body)})`,
    '[void][Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]',
    '[void][Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime]',
    '$x = New-Object Windows.Data.Xml.Dom.XmlDocument',
    '$x.LoadXml("<toast><visual><binding template=""ToastGeneric""><text>$t</text><text>$b</text></binding></visual></toast>")',
    `[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier(${psQuote(POWERSHELL_AUMID)}).Show([Windows.UI.Notifications.ToastNotification]::new($x))`,
  ].join('\n');
}

/**
 * How to show a notification on each platform. Windows: PowerShell with the script as
 * -EncodedCommand (UTF-16LE base64: no quoting through the command line at all); the process runner
 * starts it with CREATE_NO_WINDOW, so no console flashes (`-WindowStyle Hidden` would, PowerShell#3028).
 * Linux: notify-send when it is installed. macOS: osascript, with the texts as arguments, never
 * spliced into the AppleScript. Pure.
 */
export function desktopCommand(
  platform: NodeJS.Platform,
  title: string,
  body: string,
  has: (program: string) => boolean,
): DesktopCommand | undefined {
  if (platform === 'win32') {
    const encoded = Buffer.from(windowsToastScript(title, body), 'utf16le').toString('base64');
    return {
      executable: 'powershell.exe',
      args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded],
    };
  }
  if (platform === 'darwin') {
    return {
      executable: 'osascript',
      args: [
        '-e',
        'on run argv',
        '-e',
        'display notification (item 2 of argv) with title (item 1 of argv)',
        '-e',
        'end run',
        title,
        body,
      ],
    };
  }
  if (has('notify-send'))
    return { executable: 'notify-send', args: ['--app-name=headless', '--', title, body] };
  return undefined;
}
