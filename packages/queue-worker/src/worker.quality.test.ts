import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeGitRepo } from '@headless/test-support/git-repo';
import { dropTasks, ledgerOf, makeWorkerRoot, runUntilIdle, type WorkerRoot } from './testing/harness.js';
import { posixOnly } from '@headless/test-support/platform';

const fakeNpm = posixOnly(
  "puts a stand-in npm on PATH as an extensionless #! script, which Windows' PATHEXT lookup does not find",
);

// The built-in `quality` tool: the worker runs `headless quality --repo <repo> --json` (this node,
// headless's own CLI) and the gate's failures become the task's reason.
describe('a task with tool "quality"', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot();
    await makeGitRepo(w.root);
    await fs.writeFile(path.join(w.root, 'package.json'), '{"name":"demo","scripts":{"lint":"eslint ."}}\n');
    // A stand-in npm whose `run lint` prints ESLint's stylish output for one error and fails.
    const bin = path.join(w.root, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'npm'),
      [
        '#!/usr/bin/env node',
        "console.log('> demo lint\\n> eslint .\\n\\n' + require('path').join(process.cwd(), 'src', 'a.js'));",
        'console.log("  3:7  error  \'x\' is assigned a value but never used  no-unused-vars\\n\\n✖ 1 problem (1 error, 0 warnings)");',
        'process.exit(1);',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    w.env.PATH = `${bin}${path.delimiter}${w.env.PATH ?? ''}`;
  });
  afterEach(() => w.cleanup());

  fakeNpm.it('fails permanently with the failed steps and their findings as the reason', async () => {
    await dropTasks(w.root, 'q.jsonl', [{ id: 'q1', tool: 'quality', repo: '.' }]);
    await runUntilIdle(w);
    const [rec] = await w.store.list('failed');
    expect(rec?.id).toBe('q1');
    const where = path.join(w.root, 'src', 'a.js').split(path.sep).join('/');
    expect(rec?.reason).toBe(
      `quality gate failed: js-lint: ${where}:3:7 'x' is assigned a value but never used (no-unused-vars)`,
    );
    const ends = (await ledgerOf(w, 'q1')).filter((r) => r.event === 'attempt.end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ class: 'permanent', exitCode: 1 });
    const log = await fs.readFile(
      path.join(w.root, 'logs', 'quality', path.basename(w.root), 'js-lint.log'),
      'utf8',
    );
    expect(log).toContain('no-unused-vars');
  });

  it("passes its args on (--only), and a usage error fails the task with the gate's message", async () => {
    await dropTasks(w.root, 'q.jsonl', [
      { id: 'q2', tool: 'quality', repo: '.', args: ['--only', 'pytest'] },
    ]);
    await runUntilIdle(w);
    const [rec] = await w.store.list('failed');
    expect(rec?.reason).toContain(
      'exit code 2: headless: unknown step "pytest" (this repository\'s steps: js-lint)',
    );
  });
});
