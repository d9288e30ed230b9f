import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@headless/core/config/load';
import { ConfigError } from '@headless/core/config/config-error';
import { layout } from '@headless/core/paths';
import { makeTempRoot } from '@headless/test-support/temp-root';

/** Config files the chaos campaign's fuzzer produced (chaos/FINDINGS.md). */
describe('fuzzed config files', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ root, cleanup } = await makeTempRoot('headless-cfgfuzz-')));
  afterEach(() => cleanup());

  const write = async (name: string, text: string) => {
    await fs.mkdir(path.join(root, 'config'), { recursive: true });
    await fs.writeFile(path.join(root, 'config', name), text);
  };

  it.each([
    ['policies.json', '{"worker":{"concurrency":"2"}}'],
    ['policies.json', '{"worker":{"concurrency":2'],
    ['tools.json', '\u0000\u00ff garbage'],
    ['tools.json', '{"tools":{"x":{"executable":""}},"__proto__":{"polluted":true}}'],
  ])('refuses %s %j with a ConfigError', async (name, text) => {
    await write(name, text);
    await expect(loadConfig(layout(root))).rejects.toBeInstanceOf(ConfigError);
  });

  // F2: a value nested thousands of levels deep overflows the stack while the error message quotes
  // it (core/config/json-path.ts showValue): `headless` exits 1 with "unexpected error: RangeError"
  // instead of 2 with the file and key at fault (fixed: showValue guards the quoting).
  it('refuses a value nested 20,000 levels deep with a ConfigError, not a RangeError', async () => {
    const d = 20000;
    await write('policies.json', `{"worker":{"concurrency":${'['.repeat(d)}${']'.repeat(d)}}}`);
    await expect(loadConfig(layout(root))).rejects.toBeInstanceOf(ConfigError);
  });
});
