import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import type { RootLayout } from '../paths.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { parseState, StateFileError } from './state-file.js';
import { compareText } from '../text-order.js';

/**
 * Requests from the CLI to the worker: the worker is the only writer of task state while it runs,
 * so `retry`, `cancel` and `retry --reset-breaker` ask it, and it answers with what really happened.
 * One file per request in `.tasks/run/requests/`, one answer per request in `.tasks/run/responses/`.
 */
export const UserRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('retry'),
    id: z.string(),
    at: z.string(),
    tasks: z._default(z.array(z.string()), []),
    failed: z._default(z.boolean(), false),
    quarantined: z._default(z.boolean(), false),
    discardRejected: z._default(z.boolean(), false),
  }),
  z.object({ kind: z.literal('cancel'), id: z.string(), at: z.string(), task: z.string() }),
  z.object({ kind: z.literal('reset-breaker'), id: z.string(), at: z.string(), tool: z.string() }),
]);
export type UserRequest = z.infer<typeof UserRequestSchema>;
export type UserRequestInput = z.input<typeof UserRequestSchema>;

export const UserResponseSchema = z.object({
  id: z.string(),
  /** 0 done, 1 could not be done (the lines say why), 2 the request was wrong. */
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  /** For stdout. */
  lines: z.array(z.string()),
  /** For stderr. */
  errors: z._default(z.array(z.string()), []),
  /** Exact figures, for tests and `--json`. */
  result: z._default(z.record(z.string(), z.unknown()), {}),
  by: z.enum(['worker', 'cli']),
});
export type UserResponse = z.infer<typeof UserResponseSchema>;

type Body<K extends UserRequest['kind']> = Omit<Extract<UserRequestInput, { kind: K }>, 'id' | 'at'>;
export type RequestBody = Body<'retry'> | Body<'cancel'> | Body<'reset-breaker'>;

export function newRequest(body: RequestBody, now = new Date()): UserRequest {
  return UserRequestSchema.parse({ ...body, id: randomUUID(), at: now.toISOString() });
}

export async function writeRequest(paths: RootLayout, req: UserRequest): Promise<void> {
  await fsp.mkdir(paths.requestsDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(paths.requestsDir, `${req.id}.json`), JSON.stringify(req), {
    fsync: false,
  });
}

/** Takes back a request nobody has answered: true when it was still waiting (nobody took it). */
export async function withdrawRequest(paths: RootLayout, id: string): Promise<boolean> {
  try {
    await fsp.rm(path.join(paths.requestsDir, `${id}.json`));
    return true;
  } catch {
    return false;
  }
}

/** Pending requests, oldest first; a file that is not a request is answered as one with an error. */
export async function pendingRequests(
  paths: RootLayout,
): Promise<({ ok: true; req: UserRequest } | { ok: false; id: string; why: string })[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(paths.requestsDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: (
    { ok: true; req: UserRequest; at: string } | { ok: false; id: string; why: string; at: string }
  )[] = [];
  for (const name of names) {
    const file = path.join(paths.requestsDir, name);
    const id = name.slice(0, -5);
    try {
      const req = parseState(file, await fsp.readFile(file, 'utf8'), UserRequestSchema);
      out.push({ ok: true, req, at: req.at });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      out.push({ ok: false, id, why: err instanceof StateFileError ? err.message : String(err), at: '' });
    }
  }
  return out.sort((a, b) => compareText(a.at, b.at)).map(({ at: _at, ...r }) => r);
}

/** Answers a request: the answer first, then the request goes (a crash between leaves an answer). */
export async function respond(paths: RootLayout, res: UserResponse): Promise<void> {
  await fsp.mkdir(paths.responsesDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(
    path.join(paths.responsesDir, `${res.id}.json`),
    JSON.stringify(UserResponseSchema.parse(res)),
    {
      fsync: false,
    },
  );
  await fsp.rm(path.join(paths.requestsDir, `${res.id}.json`), { force: true });
}

/** Is a request with this id being (or waiting to be) handled? */
export function requestPending(paths: RootLayout, id: string): boolean {
  return fs.existsSync(path.join(paths.requestsDir, `${id}.json`));
}

/** The answer to request `id`, once there (it is removed as it is read). */
export async function takeResponse(paths: RootLayout, id: string): Promise<UserResponse | undefined> {
  const file = path.join(paths.responsesDir, `${id}.json`);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const res = parseState(file, text, UserResponseSchema);
  await fsp.rm(file, { force: true });
  return res;
}
