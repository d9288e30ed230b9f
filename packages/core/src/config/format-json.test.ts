import { describe, expect, it } from '@jest/globals';
import { formatJson } from './format-json.js';

describe('formatJson', () => {
  it('puts each key on its own line and short arrays on one line', () => {
    expect(formatJson({ a: 1, b: ['x', ['y', 'z']], c: {}, d: [] })).toBe(
      '{\n  "a": 1,\n  "b": ["x", ["y", "z"]],\n  "c": {},\n  "d": []\n}\n',
    );
  });

  it('breaks an array that would pass the print width, counting its trailing comma', () => {
    const list = ['aaaa', 'bbbb'];
    // `  "k": ["aaaa", "bbbb"],` is 24 characters, 23 without the comma (as prettier counts).
    expect(formatJson({ k: list, z: 1 }, 24)).toContain('"k": ["aaaa", "bbbb"],');
    expect(formatJson({ k: list, z: 1 }, 23)).toContain('"k": [\n    "aaaa",\n    "bbbb"\n  ],');
    expect(formatJson({ k: list }, 23)).toContain('"k": ["aaaa", "bbbb"]\n');
  });

  it('breaks an array that holds an object', () => {
    expect(formatJson([{ a: 1 }])).toBe('[\n  {\n    "a": 1\n  }\n]\n');
  });

  it('round-trips through JSON.parse', () => {
    const value = { s: 'é"\\', n: null, t: true, nested: { list: [1, 2.5, -3] } };
    expect(JSON.parse(formatJson(value))).toEqual(value);
  });
});
