import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { validateTaskLine, validationContext } from '@headless/core/task/validate';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import type { QueueStore } from '@headless/core/queue/store';
import { openContext, printJson } from '../context.js';

interface LineResult {
  line: number;
  id?: string;
  ok: boolean;
  reason?: string;
}

export function register(program: Command): void {
  program
    .command('enqueue')
    .description('validate a JSONL task file (or - for stdin) and place its tasks in the inbox atomically')
    .argument('<file>', 'a .jsonl file with one task per line, or - to read stdin')
    .option('--dry-run', 'only validate; place nothing')
    .option('--skip-known', 'leave out tasks whose id is already known instead of reporting them as errors')
    .option('--json', 'print the per-line report as JSON')
    .action(
      async (file: string, opts: { dryRun?: boolean; skipKnown?: boolean; json?: boolean }, cmd: Command) => {
        const ctx = await openContext(cmd);
        const text =
          file === '-'
            ? await readStdin()
            : await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
                throw new HeadlessError(
                  err.code === 'ENOENT'
                    ? `cannot read ${file}: no such file; give the path of a JSONL task file, or - for stdin`
                    : `cannot read ${file}: ${err.message}`,
                  ExitCode.usage,
                );
              });
        const source = file === '-' ? 'stdin' : file;
        const validation = validationContext(ctx.paths.root, ctx.config.tools, ctx.config.policies);
        const { results, keep } = await checkLines(text, validation, ctx.store, opts.skipKnown ?? false);
        let placed: string | undefined;
        if (!opts.dryRun && keep.length > 0) {
          await fs.mkdir(ctx.paths.inbox, { recursive: true });
          const name = `enqueue-${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(3).toString('hex')}.jsonl`;
          placed = path.join(ctx.paths.inbox, name);
          // writeFileAtomic writes a .tmp first: the worker never reads a half-written file.
          await writeFileAtomic(placed, `${keep.join('\n')}\n`);
        }
        const bad = results.filter((r) => !r.ok);
        if (opts.json) {
          printJson({
            source,
            placed: placed ?? null,
            accepted: keep.length,
            rejected: bad.length,
            lines: results,
          });
        } else {
          for (const r of bad) process.stderr.write(`${source}:${r.line}: ${r.reason}\n`);
          const where = opts.dryRun
            ? ' (dry run: nothing placed)'
            : placed
              ? ` -> ${path.relative(ctx.paths.root, placed)}`
              : '';
          process.stdout.write(`${keep.length} task(s) accepted, ${bad.length} line(s) rejected${where}\n`);
        }
        process.exitCode = bad.length > 0 ? ExitCode.usage : ExitCode.ok;
      },
    );
}

/** Each non-empty line checked: valid, its id new (ignoring case) or a rerun of a finished task. */
async function checkLines(
  text: string,
  validation: ReturnType<typeof validationContext>,
  store: QueueStore,
  skipKnown: boolean,
): Promise<{ results: LineResult[]; keep: string[] }> {
  const results: LineResult[] = [];
  const keep: string[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const v = validateTaskLine(raw, validation);
    if (!v.ok) {
      results.push({ line: i + 1, ok: false, reason: v.reason });
      continue;
    }
    const id = v.spec.id;
    const stored = seen.has(id.toLowerCase()) ? undefined : await store.lookup(id);
    if (stored && stored.id !== id) {
      if (skipKnown) continue;
      results.push({
        line: i + 1,
        id,
        ok: false,
        reason: `id ${id} differs only in case from task ${stored.id} (${stored.state}); ids are unique ignoring case, choose another id`,
      });
      continue;
    }
    const known = seen.has(id.toLowerCase())
      ? { state: 'earlier in this file' }
      : stored && (await store.get(stored.id));
    // "rerun" replaces a finished task only; a queued or running one is never run twice at once.
    const finished =
      known !== undefined && 'record' in known && known.state !== 'queued' && known.state !== 'processing';
    if (known && !(v.spec.rerun && finished)) {
      if (skipKnown) continue;
      results.push({
        line: i + 1,
        id,
        ok: false,
        reason: v.spec.rerun
          ? `task ${id} is still ${known.state}; "rerun" applies only to finished tasks`
          : `task ${id} already exists (${known.state}); set "rerun": true to run it again`,
      });
      continue;
    }
    seen.add(id.toLowerCase());
    results.push({ line: i + 1, id, ok: true });
    keep.push(raw);
  }
  return { results, keep };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
