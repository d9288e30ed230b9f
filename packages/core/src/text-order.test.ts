import { describe, expect, it } from '@jest/globals';
import { compareText } from './text-order.js';

describe('compareText', () => {
  it('orders by code units, whatever the locale', () => {
    expect(['b', 'B', 'a', 'A', '_', '-', '10', '9'].sort(compareText)).toEqual([
      '-',
      '10',
      '9',
      'A',
      'B',
      '_',
      'a',
      'b',
    ]);
  });

  it('orders ISO-8601 times of one format by time', () => {
    const times = ['2026-12-04T10:00:00.000Z', '2026-01-31T23:59:59.999Z', '2026-12-04T09:59:59.999Z'];
    expect([...times].sort(compareText)).toEqual([...times].sort((a, b) => Date.parse(a) - Date.parse(b)));
  });

  it('is 0 only for equal strings', () => {
    expect(compareText('x', 'x')).toBe(0);
    expect(compareText('x', 'y')).toBe(-1);
    expect(compareText('y', 'x')).toBe(1);
  });
});
