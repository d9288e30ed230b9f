import { loadConfig } from '@headless/core/config/load';
import type { RootLayout } from '@headless/core/paths';
import { checkFolders } from './folders.js';
import { doctorExitCode, type DoctorReport } from './report.js';
import { checkTools, type VersionProbe } from './tools.js';

/**
 * Everything `headless doctor` checks. A bad config throws its ConfigError (exit 2) before any
 * other check: nothing else can be trusted until the config parses.
 */
export async function runDoctor(
  l: RootLayout,
  env: NodeJS.ProcessEnv = process.env,
  probe?: VersionProbe,
): Promise<DoctorReport> {
  const config = await loadConfig(l);
  const [folders, tools] = await Promise.all([checkFolders(l), checkTools(config.tools, env, l.root, probe)]);
  return { root: l.root, config: config.sources, folders, tools, exitCode: doctorExitCode(folders) };
}
