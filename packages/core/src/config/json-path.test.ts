import { describe, expect, it } from '@jest/globals';
import { showValue, toJsonPath, valueAt } from './json-path.js';

describe('json paths', () => {
  it('writes identifiers with dots, indexes and odd keys in brackets', () => {
    expect(toJsonPath([])).toBe('$');
    expect(toJsonPath(['loops', 'GitStatusLoop', 'steps', 0, 'tool'])).toBe(
      '$.loops.GitStatusLoop.steps[0].tool',
    );
    expect(toJsonPath(['exitCodes', '41', 'a-b'])).toBe('$.exitCodes["41"]["a-b"]');
  });
  it('finds a value by path', () => {
    expect(valueAt({ a: [{ b: 2 }] }, ['a', 0, 'b'])).toBe(2);
    expect(valueAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
  });
  it('shows values as compact JSON', () => {
    expect(showValue('x')).toBe('"x"');
    expect(showValue(undefined)).toBe('nothing');
    expect(showValue([1, 2])).toBe('[1,2]');
  });
});
