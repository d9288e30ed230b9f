import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ToolsConfig } from '../config/schema.js';
import { defaultToolsConfig } from '../config/default-tools.js';
import { validateTaskLine, type ValidationContext } from './validate.js';

const root = path.resolve('/work/root');
const ctx: ValidationContext = {
  root,
  tools: ToolsConfig.parse(defaultToolsConfig()).tools,
  allowedRoots: [root],
  maxLineBytes: 1000,
  secretEnv: ['ANTHROPIC_API_KEY', '*_TOKEN'],
  realpath: (p) => (p.endsWith('missing') ? undefined : p),
};
const reason = (line: string) => {
  const v = validateTaskLine(line, ctx);
  return v.ok ? 'ok' : v.reason;
};

describe('validateTaskLine', () => {
  it('refuses files that lead outside the repo at intake (aider `files` like ../../etc/passwd)', () => {
    expect(reason('{"id":"a1","tool":"aider","prompt":"x","files":["../../etc/passwd"]}')).toMatch(
      /^field "files": "..\/..\/etc\/passwd" leads outside the repo/,
    );
    expect(reason('{"id":"a2","tool":"aider","prompt":"x","files":["src/a.py"]}')).toBe('ok');
  });
  it('accepts the blueprint git task and fills defaults', () => {
    const v = validateTaskLine(
      '{ "id":"git-001","tool":"git","repo":".","args":["fetch","--all","--prune"] }',
      ctx,
    );
    expect(v).toMatchObject({ ok: true, repo: root, spec: { id: 'git-001', priority: 0, files: [] } });
  });
  it.each([
    ['{"id":"a","tool":"git"', /^invalid JSON/],
    ['[1,2]', /must be a JSON object, found an array/],
    ['{"tool":"git"}', /missing field "id"/],
    ['{"id":"a","tool":42}', /field "tool".*found 42/],
    ['{"id":"a","tool":"nope"}', /unknown tool "nope": configured tools are .*git/],
    ['{"id":"../x","tool":"git"}', /field "id"/],
    ['{"id":"CON","tool":"git"}', /Windows device name/],
    ['{"id":"a","tool":"git","colour":"red"}', /unknown field "colour"/],
    ['{"id":"a","tool":"git","repo":"/etc"}', /outside the allowed roots.*allowedRepoRoots/],
    ['{"id":"a","tool":"git","repo":"missing"}', /does not exist/],
    ['{"id":"a","tool":"git","timeout_sec":-5}', /field "timeout_sec"/],
    ['{"id":"a\u0000","tool":"git"}', /NUL byte/],
    ['{"id":"a","tool":"git","env":{"GH_TOKEN":"x"}}', /"env.GH_TOKEN": a secret does not go in a task/],
    [`{"id":"a","tool":"git","prompt":"${'x'.repeat(2000)}"}`, /limit is 1000/],
  ])('rejects %s with a reason that says what to fix', (line, expected) => {
    expect(reason(line)).toMatch(expected);
  });
});
