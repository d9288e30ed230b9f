import fs from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import '../zod-english.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { HeadlessError } from '../errors/headless-error.js';

/** A state file that exists but does not hold what its schema says: named, with what is wrong. */
export class StateFileError extends HeadlessError {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`state file ${file} is unreadable (${why}); move it aside or delete it, headless rebuilds it`);
  }
}

/**
 * One read/write pair per state file, each with its schema: nothing parses a state file with a bare
 * `JSON.parse(...) as T`. `read` is undefined when the file is absent; a damaged file is a
 * `StateFileError` (callers choose whether that is fatal or "start fresh, and say so").
 */
export interface StateFile<T> {
  readonly file: string;
  read(): Promise<T | undefined>;
  /** Like `read`, but a damaged file counts as absent and `onDamage` hears why. */
  readOrDefault(fallback: T, onDamage?: (err: StateFileError) => void): Promise<T>;
  write(value: T, opts?: { fsync?: boolean }): Promise<void>;
  remove(): Promise<void>;
}

export function stateFile<S extends z.core.$ZodType>(file: string, schema: S): StateFile<z.output<S>> {
  type T = z.output<S>;
  const read = async (): Promise<T | undefined> => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseState(file, text, schema);
  };
  return {
    file,
    read,
    async readOrDefault(fallback, onDamage) {
      try {
        return (await read()) ?? fallback;
      } catch (err) {
        if (!(err instanceof StateFileError)) throw err;
        onDamage?.(err);
        return fallback;
      }
    },
    async write(value, opts = {}) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(z.parse(schema, value), null, 1)}\n`, {
        fsync: opts.fsync ?? true,
      });
    },
    async remove() {
      await fs.rm(file, { force: true });
    },
  };
}

/** Parses a state file's text with its schema; a `StateFileError` names the file and the first issue. */
export function parseState<S extends z.core.$ZodType>(file: string, text: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, text.length === 0 ? 'it is empty' : (err as Error).message);
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'top level';
    throw new StateFileError(file, `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
