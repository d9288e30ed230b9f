#!/usr/bin/env node
// The `headless` command of this repository (`npx headless …` after `npm ci`). It is committed, not
// built, so npm can link it at install time, before the build has made dist/; it only loads the
// build: the bundle (`npm run build` writes it to the repository's dist/, one file per process, the
// fastest start) when there is one, else the tsc output.
import fs from 'node:fs';

const bundle = new URL('../../../dist/headless.js', import.meta.url);
try {
  await import(fs.existsSync(bundle) ? bundle.href : '../dist/bin.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin.js')) {
    process.stderr.write('headless: not built yet: run `npm run build` first\n');
    process.exitCode = 2;
  } else {
    throw err;
  }
}
