#!/usr/bin/env node
// Writes config/schema/{tools,policies}.schema.json and the key reference in docs/config.md from
// the zod schemas. Reads the built code: run `npx tsc -b packages/core` first.
// A test (packages/core/src/config/generated-files.test.ts) fails when these files drift.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/core/dist/config');

let defaults, docs;
try {
  defaults = await import(path.join(dist, 'default-files.js'));
  docs = await import(path.join(dist, 'config-docs.js'));
} catch (err) {
  console.error(
    `gen-schema: cannot load the built config modules (${err.message}); run: npx tsc -b packages/core`,
  );
  process.exit(1);
}

for (const file of defaults.schemaFiles()) {
  const target = path.join(root, file.relPath);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, file.text);
  console.log(`wrote ${file.relPath}`);
}

const docPath = path.join(root, 'docs/config.md');
const doc = await fs.readFile(docPath, 'utf8');
const updated = docs.updateConfigDoc(doc);
if (updated !== doc) {
  await fs.writeFile(docPath, updated);
  console.log('updated docs/config.md');
}
