import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './parse.js';

function errorOf(kind: 'tools' | 'policies', text: string): ConfigError {
  const file = `config/${kind}.json`;
  try {
    parseConfigText(kind, file, text);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected ${file} to be rejected: ${text}`);
}

const tools = (extra: object = {}): string =>
  JSON.stringify({ tools: { git: { executable: 'git' }, aider: { executable: 'aider' } }, ...extra });

/** Ten bad configs: each gives a one-line message naming the file, the spot and what is expected, exit 2. */
const badConfigs: { name: string; kind: 'tools' | 'policies'; text: string; message: string }[] = [
  {
    name: 'wrong type',
    kind: 'policies',
    text: '{ "retry": { "maxAttempts": "three" } }',
    message:
      'config/policies.json: $.retry.maxAttempts: found "three", expected a number (fix the value or delete the key to use the default)',
  },
  {
    name: 'unknown key',
    kind: 'policies',
    text: '{ "retry": { "attempts": 3 } }',
    message:
      'config/policies.json: $.retry.attempts: found unknown key "attempts", expected one of the keys maxAttempts, baseDelayMs, maxDelayMs, jitter, maxResetWaitSec (remove the key or fix its spelling)',
  },
  {
    name: 'negative timeout',
    kind: 'policies',
    text: '{ "worker": { "defaultTimeoutSec": -5 } }',
    message:
      'config/policies.json: $.worker.defaultTimeoutSec: found -5, expected a positive integer (fix the value or delete the key to use the default)',
  },
  {
    name: 'zero concurrency',
    kind: 'tools',
    text: JSON.stringify({ tools: { git: { executable: 'git', concurrency: 0 } } }),
    message:
      'config/tools.json: $.tools.git.concurrency: found 0, expected a positive integer (fix the value or delete the key to use the default)',
  },
  {
    name: 'loop step naming an unknown tool',
    kind: 'tools',
    text: tools({ loops: { GitStatusLoop: { steps: [{ tool: 'gitt', args: ['status'] }] } } }),
    message:
      'config/tools.json: $.loops.GitStatusLoop.steps[0].tool: found "gitt", expected one of the tools git, aider (name a tool from "tools" or add that tool)',
  },
  {
    name: 'invalid JSON',
    kind: 'policies',
    text: '{\n  "retry": {\n    "maxAttempts": 3,\n  }\n}\n',
    message:
      'config/policies.json: line 4 column 3: found invalid JSON: unexpected "}" (expected a double-quoted key), expected valid JSON (fix the syntax at that spot)',
  },
  {
    name: 'empty file',
    kind: 'tools',
    text: '\n  \n',
    message:
      'config/tools.json: $: found an empty file, expected a JSON object (write {} to use the defaults, or delete the file)',
  },
  {
    name: 'an array instead of an object',
    kind: 'policies',
    text: '[{ "retry": {} }]',
    message:
      'config/policies.json: $: found [{"retry":{}}], expected a JSON object (the file must hold one {...} object)',
  },
  {
    name: 'a bad regular expression',
    kind: 'tools',
    text: JSON.stringify({
      tools: {
        git: {
          executable: 'git',
          patterns: [{ pattern: 'rate (limit', class: 'transient', reason: 'rate' }],
        },
      },
    }),
    message:
      'config/tools.json: $.tools.git.patterns[0].pattern: found "rate (limit", expected a valid regular expression (Invalid regular expression: /rate (limit/i: Unterminated group) (fix the pattern; escape characters such as ( [ { with a backslash (\\\\ in JSON))',
  },
  {
    name: 'a bad enum value',
    kind: 'policies',
    text: '{ "retry": { "jitter": "sometimes" } }',
    message:
      'config/policies.json: $.retry.jitter: found "sometimes", expected one of "none", "full", "half", "decorrelated" (fix the value or delete the key to use the default)',
  },
];

describe('parseConfigText', () => {
  it.each(badConfigs)('rejects $name with one line and exit code 2', ({ kind, text, message }) => {
    const err = errorOf(kind, text);
    expect(err.message).toBe(message);
    expect(err.message).not.toMatch(/\n/);
    expect(err.exitCode).toBe(2);
    expect(err.file).toBe(`config/${kind}.json`);
  });

  it('keeps the parts of the message as fields', () => {
    const err = errorOf('policies', '{ "retry": { "maxAttempts": -1 } }');
    expect(err).toMatchObject({
      file: 'config/policies.json',
      jsonPath: '$.retry.maxAttempts',
      found: '-1',
      expected: 'a positive integer',
    });
  });

  it('tolerates a byte order mark at the start', () => {
    const p = parseConfigText('policies', 'config/policies.json', '\uFEFF{ "retry": { "maxAttempts": 7 } }');
    expect(p.retry.maxAttempts).toBe(7);
  });

  it('fills the defaults of an empty object', () => {
    const p = parseConfigText('policies', 'config/policies.json', '{}');
    expect(p.worker.concurrency).toBe(2);
  });

  it('accepts a loop whose steps name configured tools', () => {
    const t = parseConfigText(
      'tools',
      'config/tools.json',
      tools({ loops: { L: { steps: [{ tool: 'git' }] } } }),
    );
    expect(t.loops['L']?.steps[0]?.tool).toBe('git');
  });

  it('names a missing required key', () => {
    const err = errorOf('tools', JSON.stringify({ tools: { git: { argv: [] } } }));
    expect(err.message).toBe(
      'config/tools.json: $.tools.git.executable: found nothing (the key is missing), expected a string (add the key)',
    );
  });

  it('names a bad record key', () => {
    const err = errorOf('tools', JSON.stringify({ tools: { 'my tool': { executable: 'x' } } }));
    expect(err.jsonPath).toBe('$.tools["my tool"]');
    expect(err.expected).toBe('a tool name of letters, digits, . _ -');
  });

  it('lists both forms of a union', () => {
    const err = errorOf('tools', JSON.stringify({ tools: { git: { executable: 'git', argv: [3] } } }));
    expect(err.jsonPath).toBe('$.tools.git.argv[0]');
    expect(err.expected).toBe('a string or an array');
  });

  it('describes a bounded fraction', () => {
    const err = errorOf('tools', tools({ loops: { L: { jitter: 0.9, steps: [{ tool: 'git' }] } } }));
    expect(err.expected).toBe('a number from 0 to 0.5');
  });

  it('cuts a long found value to 60 characters', () => {
    const err = errorOf('policies', JSON.stringify({ worker: { allowedRepoRoots: 'x'.repeat(200) } }));
    expect(err.found.length).toBe(60);
    expect(err.found.endsWith('…')).toBe(true);
  });

  it('uses the regex message for a format', () => {
    const err = errorOf('policies', '{ "logs": { "maxSize": "big" } }');
    expect(err.expected).toBe('a size such as 20m');
  });
});
