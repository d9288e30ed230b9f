import type { ConfigSource } from '@headless/core/config/load';
import type { CheckStatus, FolderCheck } from './folders.js';
import type { ToolCheck } from './tools.js';

export interface DoctorReport {
  root: string;
  config: { tools: ConfigSource; policies: ConfigSource };
  folders: FolderCheck[];
  tools: ToolCheck[];
  /** Exit code: 1 when a folder check failed, else 0 (missing tools are warnings). */
  exitCode: 0 | 1;
}

export function doctorExitCode(folders: readonly FolderCheck[]): 0 | 1 {
  return folders.some((f) => f.status === 'fail') ? 1 : 0;
}

/** The human report: config sources, folders, a tool table, and a hint line for each missing tool. */
export function renderReport(r: DoctorReport): string {
  const out: string[] = [];
  out.push(`root: ${r.root}`);
  out.push(`config: tools from ${r.config.tools}, policies from ${r.config.policies} (valid)`);
  out.push('');
  out.push(
    renderTable(
      ['folder', 'path', 'status', 'detail'],
      r.folders.map((f) => [f.name, f.path, mark(f.status), f.detail]),
    ),
  );
  out.push('');
  out.push(
    renderTable(
      ['tool', 'executable', 'found at', 'version', 'status', 'login'],
      r.tools.map((t) => [
        t.tool,
        t.executable,
        t.foundAt ?? '-',
        t.version ?? '-',
        mark(t.status),
        t.login?.state ?? '-',
      ]),
    ),
  );
  const hints = r.tools.flatMap((t) => [
    ...(t.status !== 'ok' && t.detail !== 'found' ? [t.detail] : []),
    ...(t.login?.state === 'not logged in' ? [t.login.detail] : []),
  ]);
  if (hints.length > 0) out.push('', ...hints);
  const failed = r.folders.filter((f) => f.status === 'fail').length;
  const warned = [...r.folders, ...r.tools].filter((c) => c.status === 'warn').length;
  out.push(
    '',
    failed > 0
      ? `doctor: ${failed} problem(s) to fix`
      : `doctor: ok${warned > 0 ? ` (${warned} warning(s))` : ''}`,
  );
  return `${out.join('\n')}\n`;
}

function mark(status: CheckStatus): string {
  return status === 'ok' ? 'ok' : status === 'warn' ? 'WARN' : 'FAIL';
}

/** A plain text table, columns padded to their widest cell. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
