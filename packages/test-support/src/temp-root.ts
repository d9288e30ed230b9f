import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh root folder for one test; `cleanup` removes it. */
export async function makeTempRoot(
  prefix = 'headless-test-',
): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  return { root, cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}

/** Writes a JSON config file under `<root>/config/`. */
export async function writeConfig(
  root: string,
  name: 'tools.json' | 'policies.json',
  value: unknown,
): Promise<void> {
  await fs.mkdir(path.join(root, 'config'), { recursive: true });
  await fs.writeFile(path.join(root, 'config', name), JSON.stringify(value, null, 2));
}
