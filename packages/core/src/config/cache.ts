import fs from 'node:fs/promises';
import type { RootLayout } from '../paths.js';
import type { LoadedConfig } from './load.js';
import { configSources, readConfigTexts } from './texts.js';

/** Set by scripts/bundle.mjs to a hash of the build (esbuild `define`); never defined in the tsc build. */
declare const __HEADLESS_BUILD_ID__: string | undefined;

/** The id of this build, or undefined in the tsc build (which then never uses the cache). */
export const BUILD_ID: string | undefined =
  typeof __HEADLESS_BUILD_ID__ === 'string' ? __HEADLESS_BUILD_ID__ : undefined;

/** What `.tasks/run/config-cache.json` holds. */
interface CachedConfig {
  build: string;
  texts: { tools: string | null; policies: string | null };
  tools: LoadedConfig['tools'];
  policies: LoadedConfig['policies'];
}

/**
 * A root's config, as loadConfig gives it, through a cache of the last one validated. Validating
 * the files (zod, over the built-in tools) is the largest part of a short command such as
 * `status` that is not Node's own start; the cache skips it, and the schemas' construction with it
 * (load.js is imported only on a miss). A hit needs the same build and the very same texts of both
 * files, so any edit, and any other build, validates again. The cache is written only after a
 * successful validation, and only in a root that has a `.tasks/` folder (status in any other
 * folder creates nothing), and a cache that does not read back whole is a miss: it is our own file,
 * so it is not validated again (that is what it saves). A file that fails validation throws the
 * same ConfigError as loadConfig, and is never cached.
 */
export async function loadConfigCached(
  layout: RootLayout,
  build: string | undefined = BUILD_ID,
): Promise<LoadedConfig> {
  const texts = await readConfigTexts(layout);
  const key = { tools: texts.tools ?? null, policies: texts.policies ?? null };
  if (build !== undefined) {
    const hit = await readCache(layout.configCache);
    if (hit?.build === build && hit.texts.tools === key.tools && hit.texts.policies === key.policies) {
      return { tools: hit.tools, policies: hit.policies, sources: configSources(layout, texts) };
    }
  }
  const { configFromTexts } = await import('./load.js');
  const config = configFromTexts(layout, texts);
  if (build !== undefined)
    await writeCache(layout, { build, texts: key, tools: config.tools, policies: config.policies });
  return config;
}

async function readCache(file: string): Promise<CachedConfig | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<CachedConfig> | null;
    const whole =
      typeof value?.build === 'string' &&
      typeof value.texts === 'object' &&
      value.texts !== null &&
      typeof value.tools === 'object' &&
      value.tools !== null &&
      typeof value.policies === 'object' &&
      value.policies !== null;
    return whole ? (value as CachedConfig) : undefined;
  } catch {
    return undefined;
  }
}

async function writeCache(layout: RootLayout, cached: CachedConfig): Promise<void> {
  try {
    await fs.access(layout.tasksDir);
    await fs.mkdir(layout.runDir, { recursive: true });
  } catch {
    return;
  }
  const { writeFileAtomic } = await import('../fs/atomic.js');
  // A cache: no fsync (a torn or lost one is a miss), and a failed write changes nothing.
  await writeFileAtomic(layout.configCache, `${JSON.stringify(cached)}\n`, { fsync: false }).catch(
    () => undefined,
  );
}
