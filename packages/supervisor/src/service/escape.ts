/** Text for an XML element or attribute value (Task Scheduler XML, launchd plists). */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * One argument quoted for a Windows command line (CommandLineToArgvW rules): backslashes are
 * literal except before a quote, so a run of them before the closing quote is doubled
 * (`"C:\dir\"` would otherwise swallow the quote).
 */
export function quoteWindowsArg(arg: string, always = false): string {
  if (!always && arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/**
 * One argument for a systemd ExecStart= line: double-quoted with C escapes, and `%` and `$`
 * doubled so systemd neither expands specifiers nor environment variables inside a path.
 */
export function quoteSystemdArg(arg: string): string {
  const escaped = arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

/** A value for a systemd setting that takes a path as is (WorkingDirectory=): only specifiers are special. */
export function escapeSystemdPath(value: string): string {
  return value.replace(/%/g, '%%');
}
