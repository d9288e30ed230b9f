import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeTempRoot } from '@headless/test-support/temp-root';
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

const symlinks = posixOnly(
  'makes symlinks, which Windows allows only with a privilege (Developer Mode or admin), one of them to /dev/zero',
);

/**
 * Security checks of the queue's input side, each against a real worker on a temp root. Each test
 * fails when its protection is removed (see chaos/FINDINGS.md for one such removal, shown).
 */

/** Every file under `dir`, symlinks not followed. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Files holding `needle`, except the kept inbox files (`.tasks/ingested`): those are the user's own, moved, not written. */
async function filesContaining(dirs: string[], needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const d of dirs)
    for (const f of await filesUnder(d)) {
      if (f.includes(`${path.sep}ingested${path.sep}`)) continue;
      if ((await fs.readFile(f)).includes(Buffer.from(needle))) hits.push(f);
    }
  return hits;
}

describe('security: what an inbox line can reach', () => {
  let w: WorkerRoot;
  const extra: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of extra.splice(0)) await c();
    await w.cleanup();
  });

  it('refuses task ids that try to escape the task folders or name a Windows device', async () => {
    w = await makeWorkerRoot();
    const bad = [
      '../escape',
      '../../escape2',
      '/tmp/abs-escape',
      'a/b',
      'a\\b',
      '..',
      '.',
      '...',
      'CON',
      'con.txt',
      'NUL',
      'Aux.json',
      'COM1',
      'lpt9',
      'C:evil',
      'x'.repeat(129),
      '',
      'tab\tid',
      'nl\nid',
    ];
    await dropTasks(
      w.root,
      'ids.jsonl',
      bad.map((id) => ({ id, tool: 'claude', prompt: 'x' })),
    );
    const summary = await runUntilIdle(w);
    expect(summary.started).toBe(0);
    const rejected = await w.store.listRejected();
    expect(rejected).toHaveLength(bad.length);
    for (const r of rejected) expect(r.reason).toMatch(/field "id"/);
    // Nothing was written where an escaping id would have put it.
    const tasks = path.join(w.root, '.tasks');
    for (const p of [
      path.join(w.root, 'escape.json'),
      path.join(path.dirname(w.root), 'escape2.json'),
      '/tmp/abs-escape.json',
      path.join(tasks, 'queued', 'a'),
      path.join(w.root, 'logs', 'task_..', ''),
    ])
      await expect(fs.access(p)).rejects.toThrow();
    expect(await fakeCalls(w)).toEqual([]);
  });

  // prettier-ignore
  symlinks.it('refuses repos outside the allowed roots, through .. or a symlink, and runs the one inside', async () => {
    const outside = await makeTempRoot('headless-outside-');
    extra.push(outside.cleanup);
    w = await makeWorkerRoot({ policies: { worker: { allowedRepoRoots: ['repos'] } } });
    await fs.mkdir(path.join(w.root, 'repos', 'ok'), { recursive: true });
    await fs.mkdir(path.join(w.root, 'elsewhere'), { recursive: true });
    await fs.symlink(outside.root, path.join(w.root, 'repos', 'link-out'));
    const repos = ['.', '..', '/', outside.root, 'elsewhere', 'repos/../elsewhere', 'repos/link-out', '/etc'];
    await dropTasks(w.root, 'repos.jsonl', [
      ...repos.map((repo, i) => ({ id: `out-${i}`, tool: 'claude', prompt: 'x', repo })),
      { id: 'inside', tool: 'claude', prompt: 'x', repo: 'repos/ok' },
    ]);
    await runUntilIdle(w);
    const rejected = await w.store.listRejected();
    expect(rejected.map((r) => r.line).sort((a, b) => a - b)).toEqual(repos.map((_, i) => i + 1));
    for (const r of rejected) expect(r.reason).toMatch(/outside the allowed roots/);
    expect(await stateOf(w, 'inside')).toBe('done');
    const calls = await fakeCalls(w);
    expect(calls.map((c) => c.cwd)).toEqual([path.join(w.root, 'repos', 'ok')]);
  });

  it('passes shell metacharacters in args and prompts to the tool literally', async () => {
    w = await makeWorkerRoot({
      tools: (t) => {
        t.tools['argv'] = {
          executable: 'node',
          // Writes the argv it got to ARGV_OUT, one JSON array.
          argv: [
            '-e',
            'require("fs").writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(1)))',
            '--',
            '{prompt}',
            '{args}',
          ],
          envPass: ['ARGV_OUT'],
          writesRepo: false,
        };
      },
    });
    const hostile = [
      '$(touch pwned-subst)',
      '`touch pwned-backtick`',
      '; touch pwned-semi',
      '&& touch pwned-and',
      '| touch pwned-pipe',
      '> pwned-redirect',
      '%PATH% ^& touch pwned-cmd',
      '\'single\' "double" \\back',
      '*',
      '~',
      '$HOME',
      '--inject-flag',
    ];
    const prompt = 'line one\n$(touch pwned-prompt); rm -rf "$HOME" #';
    const argvOut = path.join(w.root, 'argv.json');
    await dropTasks(w.root, 'meta.jsonl', [
      { id: 'meta', tool: 'argv', prompt, args: hostile, env: { ARGV_OUT: argvOut } },
    ]);
    await runUntilIdle(w);
    expect(await stateOf(w, 'meta')).toBe('done');
    expect(JSON.parse(await fs.readFile(argvOut, 'utf8'))).toEqual([prompt, ...hostile]);
    const names = await fs.readdir(w.root);
    expect(names.filter((n) => n.startsWith('pwned'))).toEqual([]);
  });

  it('never writes a secret of the worker environment, or one a task tries to carry, to logs/ or .tasks/', async () => {
    const workerSecret = 'sk-test-SECRET123-worker';
    const taskSecret = 'tok-SECRET456-task';
    w = await makeWorkerRoot({
      env: { ANTHROPIC_API_KEY: workerSecret },
      tools: (t) => {
        t.tools['leaky'] = {
          executable: 'node',
          argv: [
            '-e',
            [
              'const a = process.env.ANTHROPIC_API_KEY, t = process.env.MY_TOKEN;',
              'console.log("key=" + a + " token=" + t);',
              'console.error(JSON.stringify({ error: "auth failed for " + a + " / " + t }));',
              'process.exit(process.argv.includes("fail") ? 1 : 0);',
            ].join(' '),
            '--',
            '{args}',
          ],
          envPass: ['ANTHROPIC_API_KEY'],
          writesRepo: false,
          patterns: [{ pattern: 'auth failed for (.*)', class: 'permanent', reason: 'auth failed' }],
        };
      },
    });
    await dropTasks(w.root, 'leak.jsonl', [
      { id: 'leak-ok', tool: 'leaky' },
      { id: 'leak-fail', tool: 'leaky', args: ['fail'] },
      // A bad line that carries the worker's secret: its raw text is kept for the user.
      `{"id":"leak-bad","tool":"leaky","colour":"${workerSecret}"}`,
      // A task may not carry a secret (its record would keep it in .tasks/): refused, value not kept.
      { id: 'leak-task', tool: 'leaky', env: { MY_TOKEN: taskSecret } },
    ]);
    await runUntilIdle(w);
    expect(await stateOf(w, 'leak-ok')).toBe('done');
    expect(await stateOf(w, 'leak-fail')).toBe('failed');
    expect(await stateOf(w, 'leak-task')).toBeUndefined();
    // The tool did get the worker's key (or the test would prove nothing): the log shows it masked.
    const log = await fs.readFile(path.join(w.root, 'logs', 'task_leak-ok.log'), 'utf8');
    expect(log).toMatch(/key=\*\*\* token=undefined/);
    const dirs = [path.join(w.root, 'logs'), path.join(w.root, '.tasks')];
    expect(await filesContaining(dirs, workerSecret)).toEqual([]);
    expect(await filesContaining(dirs, taskSecret)).toEqual([]);
    // The rejected lines are kept for the user to fix: with the secrets masked.
    const kept = await w.store.listRejected();
    expect(kept.map((r) => r.raw).sort()).toEqual([
      expect.stringContaining('"colour":"***"'),
      expect.stringContaining('"MY_TOKEN":"***"'),
    ]);
    expect(kept.find((r) => r.raw.includes('MY_TOKEN'))?.reason).toMatch(
      /"env.MY_TOKEN": a secret does not go in a task/,
    );
    expect((await ledgerOf(w)).length).toBeGreaterThan(0);
  });

  symlinks.it('refuses an inbox file that is a symlink, without reading or touching its target', async () => {
    const outside = await makeTempRoot('headless-outside-');
    extra.push(outside.cleanup);
    w = await makeWorkerRoot();
    const target = path.join(outside.root, 'tasks.jsonl');
    const content = `${JSON.stringify({ id: 'via-link', tool: 'claude', prompt: 'x' })}\n`;
    await fs.writeFile(target, content);
    const inbox = path.join(w.root, '.tasks', 'inbox');
    await fs.mkdir(inbox, { recursive: true });
    await fs.symlink(target, path.join(inbox, 'evil.jsonl'));
    // A link to a device would block a reader for ever.
    await fs.symlink('/dev/zero', path.join(inbox, 'zero.jsonl'));
    await runUntilIdle(w);
    expect(await w.store.get('via-link')).toBeUndefined();
    expect(await fakeCalls(w)).toEqual([]);
    expect(await fs.readFile(target, 'utf8')).toBe(content);
    expect(await fs.readdir(inbox)).toEqual([]);
    const rejected = await w.store.listRejected();
    expect(rejected.map((r) => [r.file, r.reason])).toEqual(
      expect.arrayContaining([
        ['evil.jsonl', expect.stringMatching(/symbolic link/)],
        ['zero.jsonl', expect.stringMatching(/symbolic link/)],
      ]),
    );
    const aside = await fs.readdir(path.join(w.root, '.tasks', 'quarantine', 'files'));
    expect(aside).toHaveLength(2);
  });
});
