import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  DEFAULT_HEAP_RELEASE,
  memoryReducingGc,
  shouldRelease,
  startHeapRelease,
  type HeapReleaseState,
} from './heap-release.js';

const MB = 2 ** 20;
const policy = { quietMs: 2000, minGrowthBytes: 4 * MB, minIntervalMs: 60_000 };
const quiet = (over: Partial<HeapReleaseState> = {}): HeapReleaseState => ({
  quietSince: 0,
  baselineBytes: 100 * MB,
  lastAt: undefined,
  ...over,
});

describe('shouldRelease', () => {
  it('collects once quiet long enough and grown enough', () => {
    expect(shouldRelease(policy, quiet(), 2000, 104 * MB)).toBe(true);
  });
  it('waits while busy or not yet quiet for quietMs', () => {
    expect(shouldRelease(policy, quiet({ quietSince: undefined }), 10_000, 200 * MB)).toBe(false);
    expect(shouldRelease(policy, quiet(), 1999, 200 * MB)).toBe(false);
  });
  it('leaves a process that has not grown by minGrowthBytes', () => {
    expect(shouldRelease(policy, quiet(), 5000, 104 * MB - 1)).toBe(false);
  });
  it('collects at most once per minIntervalMs', () => {
    expect(shouldRelease(policy, quiet({ lastAt: 1000 }), 60_999, 200 * MB)).toBe(false);
    expect(shouldRelease(policy, quiet({ lastAt: 1000 }), 61_000, 200 * MB)).toBe(true);
  });
  it('defaults: 2 s quiet, 4 MB, once a minute', () => {
    expect(DEFAULT_HEAP_RELEASE).toEqual(policy);
  });
});

describe('startHeapRelease', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function harness(rss: number[]) {
    let busy = true;
    let resident = rss[0] ?? 0;
    const collected: number[] = [];
    const released: [number, number][] = [];
    const stop = startHeapRelease({
      busy: () => busy,
      collect: () => {
        collected.push(Date.now());
        resident = rss[1] ?? resident;
      },
      residentBytes: () => resident,
      clock: { now: () => Date.now() },
      policy,
      checkMs: 1000,
      onRelease: (before, after) => released.push([before, after]),
    });
    return {
      stop,
      collected,
      released,
      setBusy: (b: boolean) => (busy = b),
      setResident: (b: number) => (resident = b),
    };
  }

  it('collects after the work stops and the process stays quiet, then not again within the interval', () => {
    const h = harness([100 * MB, 101 * MB]);
    h.setResident(130 * MB);
    jest.advanceTimersByTime(5000);
    expect(h.collected).toEqual([]);
    h.setBusy(false);
    jest.advanceTimersByTime(1000); // first quiet look: quiet from here
    jest.advanceTimersByTime(1000);
    expect(h.collected).toEqual([]);
    jest.advanceTimersByTime(1000);
    expect(h.collected).toEqual([8000]);
    expect(h.released).toEqual([[130 * MB, 101 * MB]]);
    h.setResident(140 * MB);
    jest.advanceTimersByTime(30_000);
    expect(h.collected).toHaveLength(1);
    jest.advanceTimersByTime(30_000);
    expect(h.collected).toHaveLength(2);
    h.stop();
  });

  it('a busy spell restarts the quiet wait', () => {
    const h = harness([100 * MB]);
    h.setResident(130 * MB);
    h.setBusy(false);
    jest.advanceTimersByTime(2000);
    h.setBusy(true);
    jest.advanceTimersByTime(1000);
    h.setBusy(false);
    jest.advanceTimersByTime(2000);
    expect(h.collected).toEqual([]);
    jest.advanceTimersByTime(1000);
    expect(h.collected).toHaveLength(1);
    h.stop();
  });

  it('does nothing without a collector', () => {
    const stop = startHeapRelease({ busy: () => false, collect: null, residentBytes: () => 0 });
    expect(jest.getTimerCount()).toBe(0);
    stop();
  });
});

describe('memoryReducingGc', () => {
  const saved = globalThis.gc;
  afterEach(() => {
    globalThis.gc = saved;
  });
  it("is V8's last-resort major collection when gc is exposed, else nothing", () => {
    globalThis.gc = undefined;
    expect(memoryReducingGc()).toBeUndefined();
    const calls: unknown[] = [];
    globalThis.gc = ((opts?: unknown) => void calls.push(opts)) as NodeJS.GCFunction;
    memoryReducingGc()?.();
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  });
});
