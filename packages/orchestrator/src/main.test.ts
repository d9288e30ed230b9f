import fs from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { layout } from '@headless/core/paths';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { readLoopsFile } from './loops-file.js';
import { parseRootArg, runOrchestratorForeground } from './main.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function rootWithLoop(): Promise<string> {
  const { root, cleanup } = await makeTempRoot('headless-orch-main-');
  cleanups.push(cleanup);
  await writeConfig(root, 'tools.json', {
    tools: { node: { executable: process.execPath, argv: ['{args}'] } },
    loops: {
      Tick: { intervalSec: 1, jitter: 0, steps: [{ tool: 'node', args: ['-e', 'console.log("tick")'] }] },
    },
  });
  return root;
}

describe('parseRootArg', () => {
  it('reads --root <dir> and --root=<dir>', () => {
    expect(parseRootArg(['--root', '/a'])).toBe('/a');
    expect(parseRootArg(['x', '--root=/b'])).toBe('/b');
    expect(parseRootArg([])).toBeUndefined();
  });
});

describe('runOrchestratorForeground', () => {
  it('runs the loops until STOP.HEADLESS appears, then exits 0', async () => {
    const root = await rootWithLoop();
    const done = runOrchestratorForeground({ root, console: false });
    await waitFor('a run', async () => ((await readLoopsFile(layout(root)))?.loops['Tick']?.runs ?? 0) >= 1);
    fs.writeFileSync(layout(root).stopFile, '');
    expect(await done).toBe(0);
    expect((await readLoopsFile(layout(root)))!.loops['Tick']).toMatchObject({
      running: false,
      nextRunAt: null,
      lastResult: 'ok',
    });
  });

  it('stops when the caller aborts', async () => {
    const root = await rootWithLoop();
    const controller = new AbortController();
    const done = runOrchestratorForeground({ root, console: false, signal: controller.signal });
    await waitFor('a run', async () => ((await readLoopsFile(layout(root)))?.loops['Tick']?.runs ?? 0) >= 1);
    controller.abort();
    expect(await done).toBe(0);
  });

  it('does not start while STOP.HEADLESS is there', async () => {
    const root = await rootWithLoop();
    fs.writeFileSync(layout(root).stopFile, '');
    expect(await runOrchestratorForeground({ root, console: false })).toBe(0);
    expect(await readLoopsFile(layout(root))).toBeUndefined();
  });

  it('returns 2 for a bad config', async () => {
    const { root, cleanup } = await makeTempRoot('headless-orch-main-');
    cleanups.push(cleanup);
    await writeConfig(root, 'policies.json', { retry: { maxAttempts: -1 } });
    expect(await runOrchestratorForeground({ root, console: false })).toBe(2);
  });
});
