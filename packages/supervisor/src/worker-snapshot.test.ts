import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { snapshotArgs, type SnapshotChoice } from './worker-snapshot.js';

const dist = path.resolve('/opt/headless/dist');
const runtime = { node: 'v24.21.0', platform: 'linux', arch: 'x64' };
const base: SnapshotChoice = {
  component: 'worker',
  entry: path.join(dist, 'worker.js'),
  bundledWorker: path.join(dist, 'worker.js'),
  stamp: { ...runtime },
  runtime,
  env: {},
};
const blob = path.join(dist, 'worker.blob');

describe('snapshotArgs: when the worker is forked from its startup snapshot', () => {
  it('the bundled worker, with the Node that built the blob', () => {
    expect(snapshotArgs(base, blob)).toEqual(['--snapshot-blob', blob]);
  });

  it('never for another Node, platform or arch (it would refuse the blob and never boot)', () => {
    expect(snapshotArgs({ ...base, stamp: { ...runtime, node: 'v24.22.0' } }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, stamp: { ...runtime, arch: 'arm64' } }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, stamp: { ...runtime, platform: 'darwin' } }, blob)).toEqual([]);
  });

  it('never without a stamp (no blob, or a torn stamp)', () => {
    expect(snapshotArgs({ ...base, stamp: undefined }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, stamp: 'garbage' }, blob)).toEqual([]);
  });

  it('never for the orchestrator, an entry override, the tsc build, Windows or HEADLESS_WORKER_SNAPSHOT=off', () => {
    expect(snapshotArgs({ ...base, component: 'orchestrator' }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, entry: path.resolve('/tmp/my-worker.js') }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, bundledWorker: undefined }, blob)).toEqual([]);
    expect(snapshotArgs({ ...base, env: { HEADLESS_WORKER_SNAPSHOT: 'off' } }, blob)).toEqual([]);
    const win = { ...runtime, platform: 'win32' };
    expect(snapshotArgs({ ...base, runtime: win, stamp: win }, blob)).toEqual([]);
  });
});
