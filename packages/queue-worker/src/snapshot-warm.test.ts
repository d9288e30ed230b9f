import { describe, expect, it } from '@jest/globals';
import { warmSchemas } from './snapshot-warm.js';

describe('warmSchemas', () => {
  it('parses every sample it keeps in the snapshot (a failing one would leave its parser unbuilt)', () => {
    expect(warmSchemas()).toEqual([]);
  });
});
