import type { TaskState } from './record.js';

/**
 * The legal moves of a task, written down once (docs/state-machine.md draws the same graph).
 * Every store operation goes through `assertMove`.
 */
const MOVES: Readonly<Record<TaskState, readonly TaskState[]>> = {
  // claimed by a worker; parked by an open breaker; cancelled before it ran
  queued: ['processing', 'quarantine', 'failed'],
  // finished; retry scheduled or interrupted (back to the queue); breaker refused the attempt
  processing: ['done', 'failed', 'queued', 'quarantine'],
  // `headless retry`
  failed: ['queued'],
  // breaker half-open or `headless retry`; `headless cancel`
  quarantine: ['queued', 'failed'],
  // terminal: a rerun archives the record and queues a new one
  done: [],
};

export class IllegalMoveError extends Error {
  constructor(
    readonly id: string,
    readonly from: TaskState,
    readonly to: TaskState,
  ) {
    super(`task ${id}: a task cannot move from ${from} to ${to}`);
    this.name = 'IllegalMoveError';
  }
}

export function canMove(from: TaskState, to: TaskState): boolean {
  return MOVES[from].includes(to);
}

export function assertMove(id: string, from: TaskState, to: TaskState): void {
  if (!canMove(from, to)) throw new IllegalMoveError(id, from, to);
}

export function isTerminal(state: TaskState): boolean {
  return state === 'done' || state === 'failed';
}
