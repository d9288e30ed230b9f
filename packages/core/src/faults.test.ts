import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseFaults } from './faults.js';

describe('test faults', () => {
  it('picks the faults of one component', () => {
    const spec = 'worker:block-event-loop-after=1500,worker:crash-at-boot,orchestrator:crash-after=500';
    expect(parseFaults(spec, 'worker').faults).toEqual([
      { kind: 'block-event-loop-after', ms: 1500 },
      { kind: 'crash-at-boot' },
    ]);
    expect(parseFaults(spec, 'orchestrator').faults).toEqual([{ kind: 'crash-after', ms: 500 }]);
  });
  it('skips malformed entries with a reason', () => {
    const { faults, skipped } = parseFaults('worker:crash-after,worker:explode,nonsense', 'worker');
    expect(faults).toEqual([]);
    expect(skipped).toHaveLength(3);
  });

  const faultsModule = fileURLToPath(new URL('./faults.js', import.meta.url));
  const script = `const { installTestFaults } = await import(${JSON.stringify(faultsModule)}); installTestFaults('worker'); console.log('alive');`;
  it('crash-at-boot exits 1 with a message, unless NODE_ENV is production', () => {
    const crashed = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, HEADLESS_TEST_FAULTS: 'worker:crash-at-boot', NODE_ENV: 'test' },
      encoding: 'utf8',
    });
    expect(crashed.status).toBe(1);
    expect(crashed.stderr).toContain('crash-at-boot');
    const prod = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, HEADLESS_TEST_FAULTS: 'worker:crash-at-boot', NODE_ENV: 'production' },
      encoding: 'utf8',
    });
    expect(prod).toContain('alive');
  });
});
