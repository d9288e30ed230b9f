// Pure parts of the quality gate (scripts/quality.mjs): argument parsing, step selection, the
// optional config/quality.json, the parsers that name the files at fault, and the summary.
// Plain JavaScript so the gate runs before anything is built; types in quality-lib.d.mts.
import path from 'node:path';
import { z } from 'zod';

export const BUILT_IN_STEPS = ['format', 'lint', 'typecheck', 'test'];

/** `--only a,b`, `--skip a,b`, `--test-pattern <regex>` (passed to jest as a path pattern). */
export function parseArgs(argv) {
  const out = { only: null, skip: [], testPattern: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    const list = () =>
      value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (flag === '--only') out.only = list();
    else if (flag === '--skip') out.skip = list();
    else if (flag === '--test-pattern') out.testPattern = value();
    else throw new Error(`unknown option ${arg} (use --only a,b, --skip a,b, --test-pattern regex)`);
  }
  return out;
}

/** The steps to run, in their order; unknown names in --only/--skip are an error, not ignored. */
export function selectSteps(allNames, { only, skip }) {
  for (const name of [...(only ?? []), ...skip]) {
    if (!allNames.includes(name)) throw new Error(`unknown step "${name}" (steps: ${allNames.join(', ')})`);
  }
  return allNames.filter((n) => (only === null || only.includes(n)) && !skip.includes(n));
}

const QualityConfig = z.strictObject({
  $schema: z.string().optional(),
  steps: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a step name of lower-case letters, digits, - _'),
        /** argv, no shell: the first element is the program. */
        command: z.array(z.string().min(1)).min(1),
        /** A step whose program is not installed is skipped (with a notice) instead of failed. */
        optional: z.boolean().default(true),
      }),
    )
    .default([]),
});

/** Validates the text of config/quality.json; throws one line naming the spot. */
export function parseQualityConfig(text, file = 'config/quality.json') {
  let json;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${err.message})`, { cause: err });
  }
  const result = QualityConfig.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = ['$', ...issue.path]
      .map((k) => (typeof k === 'number' ? `[${k}]` : k))
      .join('.')
      .replace(/\.\[/g, '[');
    throw new Error(`${file}: ${where}: ${issue.message}`);
  }
  for (const step of result.data.steps) {
    if (BUILT_IN_STEPS.includes(step.name))
      throw new Error(`${file}: step "${step.name}" clashes with a built-in step`);
  }
  return result.data;
}

/**
 * The program a command runs, looked up on PATH (and PATHEXT on Windows), or null. Pure: the file
 * system is the `exists` callback.
 */
export function findOnPath(program, { pathEnv, pathExt, platform, exists }) {
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exts = win ? ['', ...(pathExt || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const tryBase = (base) => exts.map((e) => base + e).find((c) => exists(c)) ?? null;
  if (program.includes('/') || (win && program.includes('\\'))) return tryBase(program);
  for (const raw of (pathEnv ?? '').split(win ? ';' : ':')) {
    const dir = win ? raw.trim().replace(/^"(.*)"$/, '$1') : raw;
    if (dir === '') continue;
    const hit = tryBase(p.join(dir, program));
    if (hit) return hit;
  }
  return null;
}

/** Paths as the summary shows them: relative to the repository, forward slashes. */
function rel(root, file) {
  const abs = path.isAbsolute(file) ? file : path.join(root, file);
  return path.relative(root, abs).split(path.sep).join('/');
}

const unique = (list) => [...new Set(list)];

/** `[warn] packages/x/src/a.ts` lines of `prettier --check`. */
export function prettierFiles(output, root) {
  return unique(
    output
      .split(/\r?\n/)
      .map((l) => /^\[warn\] (.+)$/.exec(l)?.[1])
      .filter((f) => f !== undefined && !/^Code style issues (found|were found)/.test(f))
      .map((f) => rel(root, f.trim())),
  );
}

/** The file headers of eslint's stylish output: an unindented path followed by indented problems. */
export function eslintFiles(output, root) {
  const lines = output.split(/\r?\n/);
  const files = [];
  lines.forEach((line, i) => {
    const next = lines[i + 1] ?? '';
    if (/^\S/.test(line) && /^\s+\d+:\d+\s+(error|warning)\s/.test(next)) files.push(rel(root, line.trim()));
  });
  return unique(files);
}

/** `file(line,col): error TS…` lines of `tsc --pretty false`. */
export function tscFiles(output, root) {
  return unique(
    output
      .split(/\r?\n/)
      .map((l) => /^(.+?)\(\d+,\d+\): error TS\d+/.exec(l.trim())?.[1])
      .filter((f) => f !== undefined)
      .map((f) => rel(root, f)),
  );
}

/** `FAIL file` lines of jest, mapped from the compiled test back to its TypeScript source. */
export function jestFiles(output, root) {
  return unique(
    output
      .split(/\r?\n/)
      .map((l) => /^\s*FAIL\s+(\S+)/.exec(l)?.[1])
      .filter((f) => f !== undefined)
      .map((f) => rel(root, f).replace(/^(packages\/[^/]+)\/dist\/(.+)\.js$/, '$1/src/$2.ts')),
  );
}

const PARSERS = { format: prettierFiles, lint: eslintFiles, typecheck: tscFiles, test: jestFiles };

/** The files a failed step names (none for steps without a parser). */
export function offendingFiles(step, output, root) {
  const parse = PARSERS[step];
  return parse ? parse(output, root) : [];
}

/**
 * The summary: a markdown table (step, status, seconds, log, files or note), then the files at
 * fault of each failed step, one per line.
 */
export function renderSummary(results) {
  const cell = (r) => {
    if (r.files.length === 0) return r.note ?? '';
    return r.files.length <= 3 ? r.files.join(', ') : `${r.files.length} files, listed below`;
  };
  const rows = results.map((r) => [r.name, r.status, r.seconds.toFixed(1), r.log ?? '-', cell(r)]);
  const header = ['step', 'status', 'seconds', 'log', 'files / notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const r of results) {
    if (r.status !== 'failed' || r.files.length === 0) continue;
    out.push(`${r.name} failed in:`, ...r.files.slice(0, 50).map((f) => `- ${f}`));
    if (r.files.length > 50) out.push(`- … and ${r.files.length - 50} more (see ${r.log})`);
    out.push('');
  }
  const failed = results.filter((r) => r.status === 'failed').map((r) => r.name);
  out.push(failed.length > 0 ? `quality: FAILED (${failed.join(', ')})` : 'quality: passed', '');
  return out.join('\n');
}
