import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateConfigDoc } from './config-docs.js';
import { defaultConfigFiles, schemaFiles } from './default-files.js';
import { undocumentedKeys } from './json-schema.js';
import { parseConfigText } from './parse.js';

// Compiled to packages/core/dist/config/: the repository is four levels up.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (rel: string): Promise<string> => fs.readFile(path.join(repo, rel), 'utf8');
const regenerate = 'run `npx tsc -b packages/core && node scripts/gen-schema.mjs`';

describe('generated config files', () => {
  it('has a description for every key of both schemas', () => {
    expect({ tools: undocumentedKeys('tools'), policies: undocumentedKeys('policies') }).toEqual({
      tools: [],
      policies: [],
    });
  });

  it.each(schemaFiles())('commits $relPath as generated from the schema', async ({ relPath, text }) => {
    const committed = await read(relPath);
    if (committed !== text) throw new Error(`${relPath} is out of date: ${regenerate}`);
  });

  it('keeps the key reference in docs/config.md in step with the schema', async () => {
    const doc = await read('docs/config.md');
    if (updateConfigDoc(doc) !== doc) throw new Error(`docs/config.md is out of date: ${regenerate}`);
  });

  it.each(defaultConfigFiles().filter((f) => !f.relPath.includes('/schema/')))(
    'tracks $relPath exactly as `headless init` writes it',
    async ({ relPath, text }) => {
      const committed = await read(relPath);
      if (committed !== text)
        throw new Error(`${relPath} differs from the defaults: run \`headless init --force\``);
    },
  );

  it('writes config files that parse back to the defaults', () => {
    for (const file of defaultConfigFiles()) {
      if (file.relPath.includes('/schema/')) continue;
      const kind = file.relPath.includes('tools') ? 'tools' : 'policies';
      const parsed = parseConfigText(kind, file.relPath, file.text);
      expect(parsed.$schema).toBe(`./schema/${kind}.schema.json`);
    }
  });
});
