import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The recorded outputs of the real AI CLIs (fixtures/<tool>.json): what the fakes print and what
 * core's parsers must make of them. `{{NAME}}` marks a value filled per run (session id, reset
 * time, cost, a flag name); `defaults` and each case's `vars` give the recorded values.
 */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface FixtureCase {
  name: string;
  /** The fake's scenario that prints this case (FAKE_SCENARIO or `SCENARIO:` in the prompt). */
  scenario?: string;
  source: string;
  vars?: Record<string, string>;
  /** null: the real CLI never exits here (the runner's timeout ends it). */
  exitCode: number | null;
  endReason?: string;
  stdout: string;
  stderr: string;
  expect: Record<string, unknown>;
}

export interface FixtureFile {
  tool: string;
  version: string;
  defaults: Record<string, string>;
  cases: FixtureCase[];
}

export function loadFixtures(tool: 'claude' | 'codex' | 'gemini'): FixtureFile {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${tool}.json`), 'utf8')) as FixtureFile;
}

/** A case's stdout and stderr with its values filled: `vars`, then the case's, then the file's defaults. */
export function renderFixture(
  file: FixtureFile,
  c: FixtureCase,
  vars: Record<string, string> = {},
): { stdout: string; stderr: string } {
  const all = { ...file.defaults, ...c.vars, ...vars };
  const fill = (text: string): string =>
    text.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => all[name] ?? m);
  return { stdout: fill(c.stdout), stderr: fill(c.stderr) };
}
