import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '../config/schema.js';
import { tempDir } from '../process/test-kit.js';
import { openBreakerRegistry, requestBreakerReset } from './breaker-registry.js';

const policy = PoliciesConfig.parse({
  breaker: { failures: 1 },
}).breaker;

async function tripOpen(reg: Awaited<ReturnType<typeof openBreakerRegistry>>, tool: string): Promise<void> {
  await reg.breakers.execute(
    tool,
    () => Promise.resolve('failed'),
    () => 'failure',
  );
}

describe('one breaker registry for the worker and the loops', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const open = (file: string) =>
    openBreakerRegistry({ file: path.join(dir, file), resetsFile: path.join(dir, 'resets.json'), policy });

  it('closes an open git breaker of the worker and of the loops on one user reset', async () => {
    const worker = await open('breakers.json');
    const loops = await open('loop-breakers.json');
    await tripOpen(worker, 'git');
    await tripOpen(loops, 'git');
    expect(worker.breakers.view('git').state).toBe('open');
    expect(loops.breakers.view('git').state).toBe('open');

    await requestBreakerReset(path.join(dir, 'resets.json'), 'git', new Date(Date.now() + 1000));
    expect(await worker.applyResets()).toEqual(['git']);
    expect(await loops.applyResets()).toEqual(['git']);
    expect(worker.breakers.view('git').state).toBe('closed');
    expect(loops.breakers.view('git').state).toBe('closed');
    // A reset is applied once: a breaker that opens again stays open.
    await tripOpen(loops, 'git');
    expect(await loops.applyResets()).toEqual([]);
    expect(loops.breakers.view('git').state).toBe('open');
    await Promise.all([worker.settled(), loops.settled()]);
  });

  it('rewrites the file only when the state changed (not at every success of a closed breaker)', async () => {
    const fs = await import('node:fs/promises');
    const file = path.join(dir, 'breakers.json');
    const reg = await open('breakers.json');
    const succeed = () =>
      reg.breakers.execute(
        'git',
        () => Promise.resolve('ok'),
        () => undefined,
      );
    await succeed();
    await reg.settled();
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toHaveProperty('git');
    await fs.rm(file);
    await succeed();
    await reg.settled();
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    await tripOpen(reg, 'git');
    await reg.settled();
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toHaveProperty('git');
  });

  it('keeps breaker state across a restart, and starts closed from a damaged file with a warning', async () => {
    const first = await open('breakers.json');
    await tripOpen(first, 'codex');
    await first.settled();
    const again = await open('breakers.json');
    expect(again.breakers.view('codex').state).toBe('open');

    const fs = await import('node:fs/promises');
    await fs.writeFile(path.join(dir, 'bad.json'), '{"codex": 1');
    const warnings: string[] = [];
    const fresh = await openBreakerRegistry({
      file: path.join(dir, 'bad.json'),
      resetsFile: path.join(dir, 'resets.json'),
      policy,
      warn: (m) => warnings.push(m),
    });
    expect(fresh.breakers.view('codex').state).toBe('closed');
    expect(warnings.join('\n')).toMatch(/bad\.json is unreadable.*every breaker starts closed/);
    await Promise.all([first.settled(), again.settled(), fresh.settled()]);
  });
});
