import type { Command } from 'commander';
import { layout, resolveRoot, type RootLayout } from '@headless/core/paths';
import type { LoadedConfig } from '@headless/core/config/load';
import type { FolderStore } from '@headless/core/queue/folder-store';
import { ConfigError } from '@headless/core/config/config-error';
import { rootOption } from './program.js';

export interface CliContext {
  paths: RootLayout;
  config: LoadedConfig;
  store: FolderStore;
}

/** The root, its validated config and its queue store: what most commands start from. */
export async function openContext(cmd: Command): Promise<CliContext> {
  const paths = layout(resolveRoot(rootOption(cmd)));
  // Loaded here, not at the top: `start` and `worker` need only rootPaths, and their processes
  // should not carry the config schemas and the store they do not use (memory, start-up time).
  const [{ loadConfigCached }, { FolderStore }] = await Promise.all([
    import('@headless/core/config/cache'),
    import('@headless/core/queue/folder-store'),
  ]);
  const config = await loadConfigCached(paths);
  const store = new FolderStore(paths.tasksDir);
  return { paths, config, store };
}

/**
 * Like openContext, but a config/ file that does not load is reported instead of thrown: `status`
 * must still show the queue (and the refusal) while a config file is being fixed.
 */
export async function openContextTolerant(cmd: Command): Promise<CliContext & { configError?: string }> {
  try {
    return await openContext(cmd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const paths = layout(resolveRoot(rootOption(cmd)));
    const [{ PoliciesConfig, ToolsConfig }, { defaultToolsConfig }, { FolderStore }] = await Promise.all([
      import('@headless/core/config/schema'),
      import('@headless/core/config/default-tools'),
      import('@headless/core/queue/folder-store'),
    ]);
    const config: LoadedConfig = {
      tools: ToolsConfig.parse(defaultToolsConfig()),
      policies: PoliciesConfig.parse({}),
      sources: { tools: 'built-in', policies: 'built-in' },
    };
    return { paths, config, store: new FolderStore(paths.tasksDir), configError: err.message };
  }
}

export function rootPaths(cmd: Command): RootLayout {
  return layout(resolveRoot(rootOption(cmd)));
}

/** Prints JSON for scripts: one object, nothing else on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table with aligned columns (no colours: it goes to logs and pipes too). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '-';
  if (s < 0) return `in ${fmtDuration(-s)}`;
  return `${fmtDuration(s)} ago`;
}

export function fmtDuration(s: number): string {
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
