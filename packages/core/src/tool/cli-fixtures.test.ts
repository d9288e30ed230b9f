import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig } from '../config/schema.js';
import { classifyAttempt, type AttemptResultInput } from './classify.js';

/**
 * The real CLIs are the contract: every recorded output in packages/test-support/fixtures must
 * classify as its case says (class, reason, limit and reset, usage, session id, final message).
 * The fake CLIs print the same cases (test-support/src/fixtures.test.ts checks that side).
 */

// Compiled to packages/core/dist/tool/: the fixtures are in the sibling package.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-support/fixtures');
const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const NOW = new Date('2026-12-01T12:00:00Z');

interface Expect {
  outcome: string;
  reason?: string;
  limit?: string;
  /** The next local wall-clock time HH:MM after NOW. */
  resetNext?: string;
  /** A local date-time YYYY-MM-DDTHH:MM. */
  resetLocal?: string;
  resetAt?: string;
  resetInSec?: number;
  usage?: Record<string, unknown>;
  sessionId?: boolean;
  finalMessage?: string;
  sessionNotFound?: boolean;
}
interface Case {
  name: string;
  scenario?: string;
  source: string;
  vars?: Record<string, string>;
  exitCode: number | null;
  endReason?: AttemptResultInput['endReason'];
  stdout: string;
  stderr: string;
  expect: Expect;
}
interface FixtureFile {
  tool: string;
  version: string;
  defaults: Record<string, string>;
  cases: Case[];
}

function render(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => vars[name] ?? m);
}

function nextLocal(now: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, m);
  return at > now ? at : new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, h, m);
}

function localTime(text: string): Date {
  const [date, time] = text.split('T');
  const [y, mo, d] = (date ?? '').split('-').map(Number);
  const [h, mi] = (time ?? '').split(':').map(Number);
  return new Date(y!, mo! - 1, d, h, mi);
}

const files = ['claude', 'codex', 'gemini'].map(
  (tool) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${tool}.json`), 'utf8')) as FixtureFile,
);

describe.each(files.map((f) => [`${f.tool} ${f.version}`, f] as const))(
  'recorded outputs of %s',
  (_, file) => {
    const tool = tools[file.tool]!;
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const vars = { ...file.defaults, ...c.vars };
      const got = classifyAttempt(
        file.tool,
        tool,
        {
          exitCode: c.exitCode,
          signal: null,
          endReason: c.endReason ?? 'exited',
          stdout: render(c.stdout, vars),
          stderr: render(c.stderr, vars),
        },
        NOW,
      );
      const e = c.expect;
      expect(got.outcome).toBe(e.outcome);
      expect(got.retryable).toBe(['transient', 'timeout', 'stalled', 'interrupted'].includes(e.outcome));
      if (e.reason !== undefined) expect(got.reason).toMatch(new RegExp(e.reason, 'i'));
      expect(got.limit).toBe(e.limit);
      const reset =
        e.resetNext !== undefined
          ? nextLocal(NOW, e.resetNext)
          : e.resetLocal !== undefined
            ? localTime(e.resetLocal)
            : e.resetAt !== undefined
              ? new Date(e.resetAt)
              : e.resetInSec !== undefined
                ? new Date(NOW.getTime() + e.resetInSec * 1000)
                : undefined;
      expect(got.resetAt).toBe(reset?.toISOString());
      if (e.usage !== undefined) expect(got.usage).toEqual(e.usage);
      if (e.sessionId) expect(got.sessionId).toBe(vars.SESSION_ID);
      expect(got.finalMessage).toBe(e.finalMessage);
      expect(got.sessionNotFound).toBe(e.sessionNotFound);
    });
  },
);

describe('the fixture suite', () => {
  it('covers every row of the failure table for claude, codex and gemini', () => {
    const outcomesOf = (tool: string): Set<string> => {
      const file = files.find((f) => f.tool === tool)!;
      return new Set(file.cases.map((c) => `${c.expect.outcome}/${c.expect.limit ?? ''}/${c.name}`));
    };
    // Table rows (docs/tools.md "Failure texts"): auth, rate limit, usage limit, overloaded, network, billing, bad flag.
    const rows: Record<string, RegExp[]> = {
      claude: [
        /^auth\//,
        /^transient\/rate\//,
        /^transient\/usage\//,
        /overloaded/,
        /network/,
        /billing/,
        /bad-flag/,
      ],
      codex: [
        /^auth\//,
        /^transient\/rate\//,
        /^transient\/usage\//,
        /overloaded/,
        /network/,
        /billing/,
        /bad-flag/,
      ],
      gemini: [/^auth\//, /^transient\/rate\//, /^transient\/usage\//, /overloaded/, /network/, /bad-flag/],
    };
    for (const [tool, wanted] of Object.entries(rows)) {
      const have = [...outcomesOf(tool)];
      for (const re of wanted)
        expect({ tool, row: re.source, found: have.some((h) => re.test(h)) }).toEqual({
          tool,
          row: re.source,
          found: true,
        });
    }
  });
});
