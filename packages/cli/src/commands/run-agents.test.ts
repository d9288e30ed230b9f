import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { localDay } from '@headless/core/run-state/spend-file';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { pathWithFakes } from '@headless/test-support/fakes';
import { fakeToolsConfig } from '@headless/test-support/fake-tools';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin.js');

describe('headless run and status with parked tools', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-agents-'));
    const tools = fakeToolsConfig({ loops: false });
    await writeConfig(root, 'tools.json', tools);
    await writeConfig(root, 'policies.json', {
      worker: { settleMs: 0, rescanIntervalMs: 200 },
      budget: { dailyUsd: 1 },
    });
  });
  afterEach(() => cleanup());

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args, '--root', root], {
      encoding: 'utf8',
      env: { ...process.env, PATH: pathWithFakes(), HOME: root, FAKE_SCENARIO: 'not-logged-in' },
      timeout: 60_000,
    });

  it('run with a logged-out claude and a second claude task exits within a minute naming both and the login; status shows the park', async () => {
    const inbox = path.join(root, '.tasks', 'inbox');
    await fs.mkdir(inbox, { recursive: true });
    const lines = [
      { id: 'needs-login-1', tool: 'claude', prompt: 'Summarise the README.', priority: 5 },
      { id: 'needs-login-2', tool: 'claude', prompt: 'Fix the typo.' },
    ];
    await fs.writeFile(path.join(inbox, 'a.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const t0 = Date.now();
    const run = cli('run', '--quiet');
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs-login-1: .*claude \/login/);
    expect(run.stderr).toMatch(/needs-login-2: .*claude needs login/);

    const status = cli('status');
    expect(status.stdout).toMatch(
      /claude {2}needs login \(.*claude \/login.*\); then: headless retry --reset-breaker claude/,
    );
    const json = JSON.parse(cli('status', '--json').stdout) as {
      parks: Record<string, { kind: string }>;
      counts: { quarantine: number; queued: number };
    };
    expect(json.parks.claude?.kind).toBe('login');
    expect(json.counts).toMatchObject({ quarantine: 1, queued: 1 });
  }, 90_000);

  it('status shows a limit park with its time and the spend of today against the cap', async () => {
    const until = new Date(Date.now() + 3_600_000);
    const run = path.join(root, '.tasks', 'run');
    await fs.mkdir(run, { recursive: true });
    const reason = 'usage limit: codex usage limit: You’ve hit your usage limit ... try again at 7:05 PM.';
    await fs.writeFile(
      path.join(run, 'tool-parks.json'),
      JSON.stringify({
        codex: { kind: 'limit', until: until.toISOString(), reason, since: new Date().toISOString() },
      }),
    );
    await fs.writeFile(
      path.join(run, 'spend.json'),
      JSON.stringify({
        day: localDay(new Date()),
        todayUsd: 1.2,
        monthUsd: 3.5,
        byToolToday: { claude: 1.2 },
        updatedAt: new Date().toISOString(),
      }),
    );
    const out = cli('status').stdout;
    const hhmm = `${String(until.getHours()).padStart(2, '0')}:${String(until.getMinutes()).padStart(2, '0')}`;
    // Today `19:05`; past midnight the date too (`Wed 2 Dec 00:24`).
    expect(out).toContain(`${hhmm} (${reason})`);
    expect(out).toMatch(/codex {2}parked until (\w{3} \d+ \w{3} )?\d\d:\d\d \(usage limit/);
    expect(out).toContain('spend today: $1.20 of $1.00 (claude $1.20)');
    const json = JSON.parse(cli('status', '--json').stdout) as { spend: object; parks: object };
    expect(json.spend).toMatchObject({ todayUsd: 1.2, dailyUsd: 1 });
    expect(json.parks).toHaveProperty('codex.until', until.toISOString());
  }, 30_000);
});
