import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CLI_BIN as BIN, runCli } from './testing/cli-run.js';
import { readLedger } from '@headless/core/ledger/ledger';
import { taskAttention } from '@headless/core/task/attention';
import { pathWithFakes } from '@headless/test-support/fakes';
import { fakeToolsConfig } from '@headless/test-support/fake-tools';
import { git, makeGitRepo } from '@headless/test-support/git-repo';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  type WorkerRoot,
} from '@headless/queue-worker/testing/harness';

const cli = runCli;

/** Acceptance 4: the morning after a mixed run. */
describe('results after a mixed run', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { worker: { concurrency: 4 } } });
  });
  afterEach(() => w.cleanup());

  it('status names the failed task with its reason; report names all four; --json lists the three needing attention', async () => {
    const claude = (id: string, scenario: string) => ({
      id,
      tool: 'claude',
      prompt: `SCENARIO: ${scenario}\ndo ${id}`,
      max_attempts: 1,
    });
    await dropTasks(w.root, 'night.jsonl', [
      claude('m-ok', 'ok'),
      { id: 'm-exit3', tool: 'node', args: ['-e', 'console.error("broke: see x.cfg"); process.exit(3)'] },
      claude('m-denied', 'permission-denied'),
      claude('m-prompt', 'prompt-no-newline'),
    ]);
    await runUntilIdle(w);
    const recs = await Promise.all(
      ['m-ok', 'm-exit3', 'm-denied', 'm-prompt'].map(async (id) => (await w.store.get(id))?.record),
    );
    const kinds = recs.map((r) =>
      r
        ? taskAttention({
            id: r.id,
            state: r.state,
            ...(r.result?.outcome ? { outcome: r.result.outcome } : {}),
            ...(r.reason ? { reason: r.reason } : {}),
            ...(r.result?.suspect ? { suspect: r.result.suspect } : {}),
          })
        : 'missing',
    );
    // The record's outcome decides, whichever end another part gives these outcomes.
    expect(kinds[0]).toBeUndefined();
    expect(kinds.slice(1).every((k) => k !== undefined && k !== 'missing')).toBe(true);
    const exit3 = recs[1];
    expect(exit3?.result?.exitCode).toBe(3);

    const status = cli(w.root, 'status');
    expect(status.status).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.startsWith('m-exit3'));
    expect(line).toMatch(/m-exit3\s+failed\s+node/);
    expect(status.stdout).toContain(exit3?.reason?.slice(0, 30));

    const text = cli(w.root, 'report', '--since', '1h');
    expect(text.status).toBe(0);
    for (const id of ['m-ok', 'm-exit3', 'm-denied', 'm-prompt']) expect(text.stdout).toContain(id);
    const json = cli(w.root, 'report', '--since', '1h', '--json');
    const report = JSON.parse(json.stdout) as { tasks: { id: string }[]; attention: { id: string }[] };
    expect(report.tasks.map((t) => t.id).sort()).toEqual(['m-denied', 'm-exit3', 'm-ok', 'm-prompt']);
    expect(report.attention.map((a) => a.id).sort()).toEqual(['m-denied', 'm-exit3', 'm-prompt']);
  });
});

/** Acceptance 5: notifications. */
describe('notifications', () => {
  let server: http.Server;
  let url: string;
  let got: { event: string; task?: string; tasks?: string[] }[];
  let held: http.ServerResponse[];
  let hold: boolean;
  beforeEach(async () => {
    got = [];
    held = [];
    hold = false;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body) as (typeof got)[number]);
        if (hold) held.push(res);
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    for (const r of held) r.writeHead(204).end();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the webhook and the command get task.failed and batch.done with the ids', async () => {
    const w = await makeWorkerRoot();
    try {
      const recorded = path.join(w.root, 'notified.jsonl');
      const recorder = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').appendFileSync(${JSON.stringify(recorded)},s.trim()+'\\n'))`;
      w.policies.notify = {
        ...w.policies.notify,
        webhook: { url, headers: {}, timeoutMs: 2000, retries: 0 },
        command: { argv: [process.execPath, '-e', recorder], timeoutSec: 30 },
      };
      await dropTasks(w.root, 'batch.jsonl', [
        { id: 'n-ok', tool: 'node', args: ['-e', ''] },
        { id: 'n-bad', tool: 'node', args: ['-e', 'process.exit(2)'], max_attempts: 1 },
      ]);
      await runUntilIdle(w);
      const failed = got.filter((e) => e.event === 'task.failed');
      expect(failed.map((e) => e.task)).toEqual(['n-bad']);
      const batch = got.filter((e) => e.event === 'batch.done');
      expect(batch).toHaveLength(1);
      expect([...(batch[0]?.tasks ?? [])].sort()).toEqual(['n-bad', 'n-ok']);
      const byCommand = (await fs.readFile(recorded, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
      const key = (e: unknown) => JSON.stringify(e);
      expect(byCommand.map(key).sort()).toEqual(got.map(key).sort());
    } finally {
      await w.cleanup();
    }
  });

  it('a webhook that does not answer holds up no task', async () => {
    hold = true;
    const w = await makeWorkerRoot();
    try {
      w.policies.notify = {
        ...w.policies.notify,
        webhook: { url, headers: {}, timeoutMs: 60_000, retries: 0 },
      };
      await dropTasks(w.root, 'slow.jsonl', [
        { id: 's-bad', tool: 'node', args: ['-e', 'process.exit(2)'], max_attempts: 1 },
        { id: 's-next', tool: 'node', args: ['-e', ''], after: ['s-ok'] },
        { id: 's-ok', tool: 'node', args: ['-e', ''] },
      ]);
      const run = runUntilIdle(w);
      // Every task ends while the first notification is still unanswered.
      await waitFor(
        'all three tasks to end',
        async () =>
          (await ledgerOf(w)).filter((l) => l.event === 'task.done' || l.event === 'task.failed').length ===
          3,
        20_000,
      );
      // Nothing was answered so far: had the worker waited for the webhook, no later task had ended.
      await waitFor('the held task.failed', () =>
        got.some((e) => e.event === 'task.failed' && e.task === 's-bad'),
      );
      expect(held.length).toBeGreaterThanOrEqual(1);
      for (const r of held.splice(0)) r.writeHead(204).end();
      hold = false;
      await run;
    } finally {
      await w.cleanup();
    }
  });
});

/** Acceptance 7: a fresh git repo as the root, `headless start`, and config reload. */
describe('headless start in a git repository', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-gitroot-'));
    await makeGitRepo(root);
    const tools = fakeToolsConfig({ loops: false });
    await writeConfig(root, 'tools.json', tools);
    await writeConfig(root, 'policies.json', {
      worker: { settleMs: 0, rescanIntervalMs: 200 },
      heartbeat: { intervalSec: 1, staleAfterSec: 5 },
      shutdown: { graceSec: 2 },
    });
    // The user's config is theirs (committed); what headless makes must not show.
    git(root, 'add', 'config');
    git(root, 'commit', '-q', '-m', 'config');
  });
  afterEach(() => cleanup());

  it('leaves git status clean, applies a valid config change to the next attempt and shows a refused one', async () => {
    const sup = spawn(process.execPath, [BIN, 'start', '--root', root], {
      env: { ...process.env, PATH: pathWithFakes(), HEADLESS_ROOT: '' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise((resolve) => sup.once('exit', resolve));
    const ledger = async () => (await readLedger(path.join(root, 'logs', 'ledger.jsonl'))).records;
    const ended = async (id: string) =>
      (await ledger()).find((l) => l.task === id && (l.event === 'task.done' || l.event === 'task.failed'));
    try {
      const slow = (id: string) => ({
        id,
        tool: 'claude',
        prompt: `do ${id}`,
        worktree: true,
        max_attempts: 1,
        env: { FAKE_DELAY_MS: '2500', FAKE_WRITE_FILE: `${id}.txt` },
      });
      await dropTasks(root, 'one.jsonl', [slow('g1')]);
      expect(await waitFor('g1 to end', () => ended('g1'), 30_000)).toMatchObject({ event: 'task.done' });
      expect(git(root, 'status', '--porcelain')).toBe('');

      // A valid change: the next attempt gets the 1 s timeout without a restart.
      await writeConfig(root, 'policies.json', {
        worker: { settleMs: 0, rescanIntervalMs: 200, defaultTimeoutSec: 1 },
        heartbeat: { intervalSec: 1, staleAfterSec: 5 },
        shutdown: { graceSec: 2 },
      });
      await waitFor(
        'the worker to apply the change',
        async () => (await ledger()).some((l) => l.event === 'config.reloaded'),
        20_000,
      );
      await dropTasks(root, 'two.jsonl', [slow('g2')]);
      const g2 = await waitFor('g2 to end', () => ended('g2'), 30_000);
      expect(g2).toMatchObject({ event: 'task.failed', outcome: 'timeout' });

      // An invalid change is refused, the running config stays, and status says so.
      await fs.writeFile(
        path.join(root, 'config', 'policies.json'),
        JSON.stringify({ worker: { concurrency: 'three' } }),
      );
      const refused = await waitFor(
        'status to show the refusal',
        () => {
          const s = cli(root, 'status', '--json');
          const r = JSON.parse(s.stdout) as { config: { refused?: string } };
          return r.config.refused;
        },
        20_000,
        250,
      );
      expect(refused).toMatch(/policies\.json.*worker\.concurrency/);
      expect(cli(root, 'status').stdout).toContain('config: refused a change');
      // The worker refused it too (not only this command's own read of config/).
      await waitFor('the worker to refuse it', async () =>
        (await ledger()).some(
          (l) => l.event === 'config.refused' && /worker\.concurrency/.test(l.reason ?? ''),
        ),
      );
    } finally {
      cli(root, 'stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
      if (sup.exitCode === null) sup.kill('SIGKILL');
    }
  });
});
