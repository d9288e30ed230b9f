import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeGitRepo } from '@headless/test-support/git-repo';
import {
  dropTasks,
  fakeCalls,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';
import { posixOnly } from '@headless/test-support/platform';

const fakeNpm = posixOnly(
  "puts a stand-in npm on PATH as an extensionless #! script, which Windows' PATHEXT lookup does not find",
);

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the bundled example tasks (blueprint §5.8)', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({
      tools: (t) => {
        // aider without a model opens its onboarding; the examples are run with one configured.
        const aider = t.tools.aider;
        if (aider) aider.model = 'gpt-4o';
      },
    });
    await makeGitRepo(w.root, { withRemote: true });
    // quality-001 runs the real `headless quality` on this repo: its package.json has a lint script,
    // run by a stand-in `npm` that records its argv like the fake AI CLIs do.
    await fs.writeFile(path.join(w.root, 'package.json'), '{"name":"demo","scripts":{"lint":"eslint ."}}\n');
    const bin = path.join(w.root, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'npm'),
      `#!/usr/bin/env node\nrequire('fs').appendFileSync(process.env.FAKE_RECORD, JSON.stringify({tool:'npm',argv:process.argv.slice(2),cwd:process.cwd(),pid:process.pid,env:{},envNames:[]})+'\\n');\n`,
      { mode: 0o755 },
    );
    w.env.PATH = `${bin}${path.delimiter}${w.env.PATH ?? ''}`;
  });
  afterEach(() => w.cleanup());

  fakeNpm.it('runs all six to done and gives each AI CLI its documented non-interactive flags', async () => {
    const lines = (await fs.readFile(path.join(REPO_ROOT, '.tasks/examples/example.tasks.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(6);
    await dropTasks(w.root, 'example.tasks.jsonl', lines);
    await runUntilIdle(w);

    for (const id of ['git-001', 'git-002', 'aider-001', 'codex-001', 'claude-001', 'quality-001']) {
      expect({ id, state: await stateOf(w, id) }).toEqual({ id, state: 'done' });
    }
    const calls = await fakeCalls(w);
    const call = (tool: string) => {
      const c = calls.find((x) => x.tool === tool);
      if (!c) throw new Error(`${tool} was not called`);
      return c;
    };
    const claude = call('claude').argv;
    expect(claude.slice(0, 2)).toEqual([
      '-p',
      'Generate a migration plan to remove Windows Terminal panes and run headless.',
    ]);
    expect(claude).toEqual(
      expect.arrayContaining([
        '--output-format',
        'json',
        '--permission-mode',
        'acceptEdits',
        '--disallowedTools',
      ]),
    );
    expect(claude).not.toContain('--no-editor');

    const codex = call('codex').argv;
    expect(codex[0]).toBe('exec');
    expect(codex).toEqual(
      expect.arrayContaining([
        '--json',
        '--skip-git-repo-check',
        '-C',
        path.join(w.root, '.tasks', 'worktrees', 'codex-001'),
        '--sandbox',
        'workspace-write',
      ]),
    );
    expect(codex).not.toContain('--non-interactive');

    const aider = call('aider').argv;
    expect(aider).toEqual(
      expect.arrayContaining([
        '--message-file',
        '--yes-always',
        '--no-check-update',
        '--analytics-disable',
        '--no-gitignore',
        '--no-pretty',
        '--no-stream',
        '--model',
        'gpt-4o',
        'packages/queue-worker/src/worker.ts',
      ]),
    );
    expect(call('npm').argv).toEqual(['run', 'lint']);
    const gate = JSON.parse(
      await fs.readFile(path.join(w.root, 'logs', 'quality', path.basename(w.root), 'summary.json'), 'utf8'),
    ) as { passed: boolean; steps: { name: string; status: string }[] };
    expect(gate).toMatchObject({ passed: true, steps: [{ name: 'js-lint', status: 'passed' }] });
    // The root is a git repository: the AI CLIs work in worktrees of their own (tools.<t>.worktree), git
    // and the quality gate in the repo itself.
    const worktree = (id: string) => path.join(w.root, '.tasks', 'worktrees', id);
    for (const c of calls) {
      const own = { claude: 'claude-001', codex: 'codex-001', aider: 'aider-001' }[c.tool];
      expect(c.cwd).toBe(own ? worktree(own) : w.root);
    }

    // One start and one end per attempt, in order, for every task.
    const ledger = await ledgerOf(w);
    for (const id of ['git-001', 'claude-001']) {
      expect(ledger.filter((r) => r.task === id).map((r) => r.event)).toEqual([
        'task.queued',
        'attempt.start',
        'attempt.end',
        'task.done',
      ]);
    }
    const logText = await fs.readFile(path.join(w.root, 'logs', 'task_git-002.log'), 'utf8');
    expect(logText).toMatch(/\[stdout\] ## main/);
  });

  it("fails the blueprint's original flags at once, saying which flag to remove", async () => {
    await dropTasks(w.root, 'blueprint.jsonl', [
      {
        id: 'codex-001',
        tool: 'codex',
        repo: '.',
        prompt: 'Write Pester tests.',
        flags: ['--non-interactive'],
      },
      { id: 'claude-001', tool: 'claude', repo: '.', prompt: 'Generate a plan.', flags: ['--no-editor'] },
      {
        id: 'pwsh-001',
        tool: 'pwsh',
        args: ['-NoProfile', '-File', 'scripts/run_quality.ps1'],
        timeout_sec: 1800,
      },
    ]);
    await runUntilIdle(w);
    const failed = await w.store.list('failed');
    const reasons = Object.fromEntries(failed.map((r) => [r.id, r.reason]));
    expect(reasons['codex-001']).toMatch(/--non-interactive/);
    expect(reasons['claude-001']).toMatch(/--no-editor/);
    expect(reasons['pwsh-001']).toMatch(
      /pwsh not found on PATH: install it or set its executable in config\/tools.json/,
    );
    for (const id of ['codex-001', 'claude-001', 'pwsh-001']) {
      expect((await ledgerOf(w, id)).filter((r) => r.event === 'attempt.start')).toHaveLength(1);
    }
  });
});
