import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { runOrchestrator } from './orchestrator.js';
import { recordingLog } from './test-kit.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Notified {
  event: string;
  tool?: string;
  reason?: string;
  until?: string;
  next?: string;
}

/** A notify command that appends each event it is given on stdin to `notified.jsonl`. */
function recorder(file: string) {
  const js = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').appendFileSync(${JSON.stringify(file)},s.trim()+'\\n'))`;
  return { argv: [process.execPath, '-e', js], timeoutSec: 30 };
}

async function notified(file: string): Promise<Notified[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Notified);
}

describe('loop breaker notifications', () => {
  it('sends breaker.opened once when a loop step keeps failing, and logs why', async () => {
    const { root, cleanup } = await makeTempRoot('headless-orch-notify-');
    cleanups.push(cleanup);
    const file = path.join(root, 'notified.jsonl');
    await writeConfig(root, 'tools.json', {
      tools: {
        node: {
          executable: process.execPath,
          argv: ['{args}'],
          writesRepo: false,
          exitCodes: { '75': 'transient' },
        },
      },
      loops: {
        Flaky: {
          intervalSec: 1,
          jitter: 0,
          steps: [{ tool: 'node', args: ['-e', 'console.error("remote hung up"); process.exit(75)'] }],
        },
      },
    });
    await writeConfig(root, 'policies.json', {
      shutdown: { graceSec: 2 },
      retry: { maxAttempts: 1 },
      breaker: { failures: 2, windowSec: 60, openSec: 600 },
      notify: { events: ['breaker.opened'], command: recorder(file) },
    });
    const controller = new AbortController();
    const log = recordingLog();
    const done = runOrchestrator({ root, signal: controller.signal, logger: log, random: () => 0.5 });
    cleanups.unshift(async () => {
      controller.abort();
      await done.catch(() => undefined);
    });

    const [ev] = await waitFor(
      'a breaker.opened notification',
      async () => {
        const evs = await notified(file);
        return evs.length > 0 ? evs : undefined;
      },
      20000,
    );
    expect(ev).toMatchObject({
      event: 'breaker.opened',
      tool: 'node',
      next: 'headless retry --reset-breaker node',
    });
    expect(Date.parse(ev!.until!)).toBeGreaterThan(Date.now() + 500_000);
    expect(log.records.some((r) => /^loop breaker of tool node opened until /.test(r.message))).toBe(true);

    // Open, the breaker skips the next runs: no second event.
    const seen = log.records.length;
    await waitFor(
      'a later run skipped by the open breaker',
      () => log.records.slice(seen).some((r) => /circuit breaker for tool "node" is open/.test(r.message)),
      10000,
    );
    controller.abort();
    await done;
    expect(await notified(file)).toHaveLength(1);
  });
});
