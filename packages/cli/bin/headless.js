#!/usr/bin/env node
// The `headless` command of this repository (`npx headless …` after `npm ci`). It is committed, not
// built, so npm can link it at install time, before `tsc -b` has made dist/; it only loads the build.
try {
  await import('../dist/bin.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin.js')) {
    process.stderr.write('headless: not built yet: run `npx tsc -b` (or `npm run build`) first\n');
    process.exitCode = 2;
  } else {
    throw err;
  }
}
