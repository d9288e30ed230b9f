import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EnqueueItem } from '@headless/core/queue/store';
import type { Transitions, LedgerSink } from '@headless/core/queue/transitions';
import { realpathOrUndefined, validateTaskLine, type ValidationContext } from '@headless/core/task/validate';
import { renameWithRetry } from '@headless/core/fs/atomic';
import { matchesEnvPattern } from '@headless/core/process/env';
import { readLines } from './line-reader.js';
import { checkDependencies, type DependencyNode } from '@headless/core/task/dependencies';
import { jsonNestingDepth } from './json-depth.js';
import { movedName, originalNameFile, shortMovedName } from './moved-name.js';

export interface IngestDeps {
  /** Queues tasks (and writes their `task.queued` lines). */
  transitions: Transitions;
  ledger: LedgerSink & { flush(): Promise<void> };
  validation: ValidationContext;
  /** Where read inbox files are kept (`.tasks/ingested`). */
  ingestedDir: string;
  now: () => Date;
  /** Redacts secrets from raw text kept for rejected lines. */
  redact?: (s: string) => string;
}

export interface IngestReport {
  file: string;
  queued: string[];
  replayed: string[];
  rejected: { line: number; reason: string }[];
  movedTo?: string;
  /** Where the next read of this file starts (only complete lines are read before the file is closed). */
  next: { offset: number; line: number };
}

export interface IngestOptions {
  /** Resume after lines read earlier (byte offset and the number of the next line). */
  start?: { offset: number; line: number };
  /**
   * Close the file: read its last line even without a newline, then move it to `.tasks/ingested/`.
   * Otherwise only complete lines are read and the file stays (its writer may add more).
   */
  final?: boolean;
}

const RAW_KEPT_BYTES = 64 * 1024;
const BATCH = 500;
/** A task line is a flat object with a few lists and maps; anything deeper is not a task. */
export const MAX_LINE_NESTING = 32;

/**
 * The raw text of a rejected line, as kept for the user, with the values of secret-named `env`
 * entries masked: a task that carries a secret is refused, and the secret is not kept either.
 */
export function maskSecretEnv(raw: string, secretEnv: readonly string[]): string {
  if (secretEnv.length === 0 || !raw.includes('"env"')) return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch {
    return raw;
  }
  const env = (value as { env?: unknown } | null)?.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return raw;
  let masked = false;
  for (const key of Object.keys(env)) {
    if (secretEnv.some((p) => matchesEnvPattern(key, p, true))) {
      (env as Record<string, unknown>)[key] = '***';
      masked = true;
    }
  }
  return masked ? JSON.stringify(value) : raw;
}

/**
 * Judges one line. Never throws: a line the validator cannot handle (too deep for the stack, a bug)
 * is refused with the reason like any bad line, so one line never keeps a whole file in the inbox.
 */
export function judgeLine(text: string, validation: ValidationContext): ReturnType<typeof validateTaskLine> {
  const depth = jsonNestingDepth(text, MAX_LINE_NESTING);
  if (depth > MAX_LINE_NESTING) {
    return {
      ok: false,
      reason: `JSON nested more than ${MAX_LINE_NESTING} levels deep: a task line is a flat object with lists and maps of strings`,
    };
  }
  try {
    return validateTaskLine(text, validation);
  } catch (err) {
    return {
      ok: false,
      reason: `the line could not be validated (${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}); fix or remove it`,
    };
  }
}

/**
 * Turns the lines of an inbox file into queued tasks: its complete lines as soon as they are there,
 * and (with `final`) the rest, after which the file moves out of the inbox. Valid lines are queued
 * durably before the file moves, so a crash mid-way re-reads the file and the store recognises the
 * lines it already holds (same file, line and content); bad lines are kept with their line number
 * and reason.
 */
export async function ingestFile(
  file: string,
  deps: IngestDeps,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const name = path.basename(file);
  const final = opts.final ?? true;
  const next = { ...(opts.start ?? { offset: 0, line: 1 }) };
  const report: IngestReport = { file: name, queued: [], replayed: [], rejected: [], next };
  let batch: EnqueueItem[] = [];
  const lineOf = new Map<string, number>();
  // The line as written, for a duplicate found by the store (the user fixes and resubmits that text).
  const textOf = new Map<string, string>();
  // One realpath per distinct repo path in a file, not one per line (20,000 lines name a few repos).
  const validation = withMemoRealpath(deps.validation);

  const flush = async () => {
    if (batch.length === 0) return;
    // `after`: unknown ids and cycles are refused here, naming them (ids of this batch count as known).
    const refused = await refusedByDependencies(batch, lineOf, deps.transitions.store);
    if (refused.size) {
      const keep: EnqueueItem[] = [];
      for (const item of batch) {
        const line = lineOf.get(item.spec.id) ?? 0;
        const why = refused.get(line);
        if (why === undefined) keep.push(item);
        else await reject(line, why, textOf.get(item.spec.id) ?? item.spec.id);
      }
      batch = keep;
      if (batch.length === 0) {
        lineOf.clear();
        textOf.clear();
        return;
      }
    }
    const outcomes = await deps.transitions.enqueue(batch);
    for (const o of outcomes) {
      const line = lineOf.get(o.id) ?? 0;
      if (o.result === 'queued') {
        report.queued.push(o.id);
      } else if (o.result === 'replayed') {
        report.replayed.push(o.id);
      } else {
        await reject(line, o.reason, textOf.get(o.id) ?? o.id);
      }
    }
    batch = [];
    lineOf.clear();
    textOf.clear();
  };

  const reject = async (line: number, reason: string, raw: string, rawBytes = Buffer.byteLength(raw)) => {
    report.rejected.push({ line, reason });
    const masked = maskSecretEnv(raw, deps.validation.secretEnv ?? []);
    const kept = masked.length > RAW_KEPT_BYTES ? `${masked.slice(0, RAW_KEPT_BYTES)}…` : masked;
    const at = deps.now().toISOString();
    const { created } = await deps.transitions.store.rejectLine({
      file: name,
      line,
      reason,
      raw: deps.redact ? deps.redact(kept) : kept,
      rawBytes,
      at,
    });
    // A file read again after a crash finds its bad lines already kept: no second ledger line.
    // A crash between the two writes is caught up by recovery from the kept line (`at`).
    if (created) await deps.ledger.append({ event: 'task.rejected', file: name, line, reason, ts: at });
  };

  for await (const l of readLines(file, deps.validation.maxLineBytes, {
    start: next.offset,
    firstLine: next.line,
    completeOnly: !final,
  })) {
    next.offset = l.endOffset;
    next.line = l.line + 1;
    if (!l.tooLong && l.text.trim() === '') continue;
    const verdict = l.tooLong
      ? ({
          ok: false,
          reason: `line is ${l.bytes} bytes; the limit is ${deps.validation.maxLineBytes} (policies.worker.maxLineBytes): put long prompts in a file`,
        } as const)
      : judgeLine(l.text, validation);
    if (!verdict.ok) {
      await reject(l.line, verdict.reason, l.text, l.bytes);
      continue;
    }
    if (lineOf.has(verdict.spec.id)) await flush();
    const hash = crypto.createHash('sha256').update(l.text).digest('hex').slice(0, 16);
    batch.push({ spec: verdict.spec, source: { file: name, line: l.line, hash } });
    lineOf.set(verdict.spec.id, l.line);
    textOf.set(verdict.spec.id, l.text);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await deps.ledger.flush();
  if (!final) return report;

  await fs.mkdir(deps.ingestedDir, { recursive: true });
  const stamp = deps.now().toISOString().replace(/[:.]/g, '-');
  report.movedTo = await moveOut(file, deps.ingestedDir, stamp);
  return report;
}

/** The validation context with its realpath answered once per path (for the read of one file). */
function withMemoRealpath(ctx: ValidationContext): ValidationContext {
  const real = ctx.realpath ?? realpathOrUndefined;
  const seen = new Map<string, string | undefined>();
  return {
    ...ctx,
    realpath: (p) => {
      if (!seen.has(p)) seen.set(p, real(p));
      return seen.get(p);
    },
  };
}

async function refusedByDependencies(
  batch: readonly EnqueueItem[],
  lineOf: ReadonlyMap<string, number>,
  store: { get(id: string): Promise<{ record: { id: string; spec: { after: string[] } } } | undefined> },
): Promise<Map<number, string>> {
  if (!batch.some((b) => b.spec.after.length)) return new Map();
  const inBatch = new Set(batch.map((b) => b.spec.id));
  const known = new Map<string, DependencyNode>();
  // Stored tasks are walked too: a cycle can close through tasks queued earlier.
  const todo = batch.flatMap((b) => b.spec.after).filter((id) => !inBatch.has(id));
  while (todo.length) {
    const id = todo.pop() as string;
    if (known.has(id) || inBatch.has(id)) continue;
    const got = await store.get(id);
    if (!got) continue;
    known.set(id, { id, after: got.record.spec.after });
    todo.push(...got.record.spec.after);
  }
  return checkDependencies(
    batch.map((b) => ({ id: b.spec.id, after: b.spec.after, line: lineOf.get(b.spec.id) ?? 0 })),
    (id) => known.get(id),
  );
}

/**
 * Moves an inbox file to `dir` as `<stamp>--<name>`, or under a short generated name when that
 * would be too long for a file name or a Windows path (or the file system says so), with the
 * original name kept beside it in `<short>.name.txt`. Returns where the file went.
 */
export async function moveOut(file: string, dir: string, stamp: string): Promise<string> {
  const name = path.basename(file);
  const planned = movedName(dir, stamp, name);
  let dest = path.join(dir, planned.name);
  let shortened = planned.shortened;
  try {
    await renameWithRetry(file, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG' || shortened) throw err;
    dest = path.join(dir, shortMovedName(stamp, name));
    shortened = true;
    await renameWithRetry(file, dest);
  }
  if (shortened) {
    // A lost note loses only the long name (the ledger has it too), never the file.
    await fs.writeFile(originalNameFile(dest), `${name}\n`).catch(() => undefined);
  }
  return dest;
}
