import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { makeTempRoot } from '@headless/test-support/temp-root';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// Node 20 as the process sees it (these machines' system node), without needing Node 20 installed.
const AS_NODE_20 = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})';

describe('an older Node.js is refused before headless does anything', () => {
  const entries = {
    'bin/headless.js (npx headless, npm start)': path.join(REPO, 'packages', 'cli', 'bin', 'headless.js'),
    'the bundle (the registered service)': path.join(REPO, 'dist', 'headless.js'),
    'the tsc output': path.join(REPO, 'packages', 'cli', 'dist', 'bin.js'),
  };
  for (const [name, entry] of Object.entries(entries)) {
    it(`${name}: exit 2, which node, its version, what to do; nothing written`, async () => {
      const root = await makeTempRoot();
      try {
        for (const cmd of [['status'], ['start']]) {
          const r = spawnSync(
            process.execPath,
            ['--import', AS_NODE_20, entry, '--root', root.root, ...cmd],
            {
              encoding: 'utf8',
              timeout: 20_000,
              windowsHide: true,
            },
          );
          expect({ cmd, status: r.status, stdout: r.stdout }).toEqual({ cmd, status: 2, stdout: '' });
          expect(r.stderr).toBe(
            `headless: needs Node.js 22.13.0 or newer, but ${process.execPath} is 20.20.2. ` +
              'Install a current Node.js LTS (https://nodejs.org) and run headless with it; if it is ' +
              'registered as a logon task, run `headless service install` again with the new node so ' +
              'the task uses it.\n',
          );
        }
        expect(fs.existsSync(path.join(root.root, '.tasks', 'run'))).toBe(false);
      } finally {
        await root.cleanup();
      }
    }, 60_000);
  }
});
