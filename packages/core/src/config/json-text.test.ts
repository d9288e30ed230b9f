import { describe, expect, it } from '@jest/globals';
import { findJsonSyntaxFault, lineColumn } from './json-text.js';

describe('findJsonSyntaxFault', () => {
  it.each([
    ['{"a": tru}', 1, 10],
    ['[1,]', 1, 4],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['{"a": 1', 1, 8],
    ['{"a":1}}', 1, 8],
    ['{"a": 01}', 1, 8],
    ['{"a": "x\ny"}', 1, 9],
    ["{'a': 1}", 1, 2],
  ])('locates the fault in %j at line %i column %i', (text, line, column) => {
    expect(findJsonSyntaxFault(text)).toMatchObject({ line, column });
  });

  it('agrees with JSON.parse on valid text', () => {
    for (const text of ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' 1 ']) {
      expect(() => JSON.parse(text) as unknown).not.toThrow();
      expect(findJsonSyntaxFault(text)).toBeNull();
    }
  });

  it('counts CRLF as one line break', () => {
    expect(lineColumn('{\r\n  x', 5)).toEqual({ line: 2, column: 3 });
  });
});
