import { describe, expect, it } from '@jest/globals';
import { ScanSchedule } from './scan-schedule.js';

const sorted = (s: ReadonlySet<string>) => [...s].sort();
const ALL = ['inbox', 'requests', 'resets'];

describe('ScanSchedule', () => {
  it('reads everything at the first pass and once per interval, only what events named in between', () => {
    const s = new ScanSchedule(2000);
    expect(sorted(s.take(1000))).toEqual(ALL);
    // A task ended: nothing on disk to read.
    expect(sorted(s.take(1010))).toEqual([]);
    s.noteEvent('inbox');
    expect(sorted(s.take(1020))).toEqual(['inbox']);
    expect(sorted(s.take(1030))).toEqual([]);
    // A request may be a breaker reset: both are read.
    s.noteEvent('requests');
    expect(sorted(s.take(1040))).toEqual(['requests', 'resets']);
    // The stop file's folder changes nothing the pass reads (the stop check runs every pass).
    s.noteEvent('root');
    expect(sorted(s.take(1050))).toEqual([]);
    expect(sorted(s.take(2999))).toEqual([]);
    expect(sorted(s.take(3000))).toEqual(ALL);
    expect(sorted(s.take(3001))).toEqual([]);
  });

  it('keeps an event that comes while a pass reads for the next pass', () => {
    const s = new ScanSchedule(2000);
    s.take(0);
    s.noteEvent('inbox');
    const first = s.take(5);
    s.noteEvent('inbox'); // during that pass's scan
    expect(sorted(first)).toEqual(['inbox']);
    expect(sorted(s.take(6))).toEqual(['inbox']);
  });

  it('reads everything at every pass once a folder is not watched, and after the clock went back', () => {
    const s = new ScanSchedule(2000);
    s.take(10_000);
    expect(sorted(s.take(9_000))).toEqual(ALL);
    expect(sorted(s.take(9_001))).toEqual([]);
    s.noteUnwatched();
    expect(sorted(s.take(9_002))).toEqual(ALL);
    expect(sorted(s.take(9_003))).toEqual(ALL);
  });

  it('with a zero interval reads everything at every pass', () => {
    const s = new ScanSchedule(0);
    expect(sorted(s.take(1))).toEqual(ALL);
    expect(sorted(s.take(1))).toEqual(ALL);
  });
});
