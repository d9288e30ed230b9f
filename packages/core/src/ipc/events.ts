import * as z from 'zod/mini';
import '../zod-english.js';

/**
 * The supervisor <-> child protocol: every event name and the shape of its payload. The names are
 * an allow-list: the server refuses (and logs) anything else, and every payload is parsed here
 * before the supervisor trusts it. None of the names is a node-ipc reserved name (start, connect,
 * disconnect, destroy, close, socket.disconnected, error, data): the guarded parser rejects those.
 */

export const COMPONENTS = ['worker', 'orchestrator'] as const;
export const Component = z.enum(COMPONENTS);
export type Component = z.infer<typeof Component>;

const pid = z.number().check(z.int(), z.positive());
const nonEmpty = z.string().check(z.minLength(1));
const nonNegativeInt = z.number().check(z.int(), z.nonnegative());

export const RunningTask = z.object({
  id: nonEmpty,
  attempt: nonNegativeInt,
  tool: nonEmpty,
  /** The tool's process (a process-group leader on POSIX); absent before it is spawned. */
  pid: z.optional(pid),
});
export type RunningTask = z.infer<typeof RunningTask>;

/** Sent first by every child; the server drops a socket that does not present the token in time. */
export const HELLO_EVENT = 'hello';
export const Hello = z.object({ token: z.string().check(z.minLength(16)), component: Component, pid });
export type Hello = z.infer<typeof Hello>;

export const childEventSchemas = {
  ready: z.object({ component: Component, pid }),
  heartbeat: z.object({ component: Component, pid, at: z.string(), running: z.array(RunningTask) }),
  'task-started': z.object({
    id: nonEmpty,
    attempt: nonNegativeInt,
    tool: z.string(),
    pid,
  }),
  'task-finished': z.object({
    id: nonEmpty,
    attempt: nonNegativeInt,
    outcome: z.string(),
  }),
  'loop-result': z.object({
    loop: nonEmpty,
    repo: z.string(),
    ok: z.boolean(),
    reason: z.optional(z.string()),
    at: z.string(),
  }),
  log: z.object({
    level: z.enum(['error', 'warn', 'info', 'debug']),
    message: z.string(),
    meta: z.optional(z.record(z.string(), z.unknown())),
  }),
  /** Free-form: the child answers a status-request with what it knows. */
  'status-reply': z.record(z.string(), z.unknown()),
} as const;

export type ChildEvent = keyof typeof childEventSchemas;
export type ChildEventPayload = { [E in ChildEvent]: z.infer<(typeof childEventSchemas)[E]> };
export const CHILD_EVENTS = Object.keys(childEventSchemas) as ChildEvent[];

export const supervisorEventSchemas = {
  shutdown: z.object({ graceMs: nonNegativeInt, reason: z.string() }),
  'status-request': z.object({}),
} as const;

export type SupervisorEvent = keyof typeof supervisorEventSchemas;
export type SupervisorEventPayload = { [E in SupervisorEvent]: z.infer<(typeof supervisorEventSchemas)[E]> };
export const SUPERVISOR_EVENTS = Object.keys(supervisorEventSchemas) as SupervisorEvent[];

export function isChildEvent(name: string): name is ChildEvent {
  return Object.hasOwn(childEventSchemas, name);
}

export function isSupervisorEvent(name: string): name is SupervisorEvent {
  return Object.hasOwn(supervisorEventSchemas, name);
}

export type ParsedEvent<E extends string, P> =
  { ok: true; event: E; payload: P } | { ok: false; reason: string };

/** Checks a child's event against the allow-list and its payload schema. */
export function parseChildEvent(
  name: string,
  data: unknown,
): ParsedEvent<ChildEvent, ChildEventPayload[ChildEvent]> {
  if (!isChildEvent(name)) return { ok: false, reason: `event "${name}" is not in the allow-list` };
  const result = z.safeParse(childEventSchemas[name], data);
  if (!result.success)
    return { ok: false, reason: `event "${name}" has a bad payload: ${z.prettifyError(result.error)}` };
  return { ok: true, event: name, payload: result.data };
}

/** Checks a supervisor's event on the child side. */
export function parseSupervisorEvent(
  name: string,
  data: unknown,
): ParsedEvent<SupervisorEvent, SupervisorEventPayload[SupervisorEvent]> {
  if (!isSupervisorEvent(name)) return { ok: false, reason: `event "${name}" is not in the allow-list` };
  const result = z.safeParse(supervisorEventSchemas[name], data);
  if (!result.success)
    return { ok: false, reason: `event "${name}" has a bad payload: ${z.prettifyError(result.error)}` };
  return { ok: true, event: name, payload: result.data };
}

export { IPC_ENV } from './env-names.js';
