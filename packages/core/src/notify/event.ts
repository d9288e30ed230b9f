import type { NotifyEventName } from '../config/schema.js';

/**
 * What a notifier is told: one JSON object, the same for the command (on stdin), the webhook (the
 * POST body) and, shortened, the desktop notification. `v` changes only on breaking edits.
 */
export interface NotifyEvent {
  v: 1;
  event: NotifyEventName;
  /** ISO time of the event. */
  at: string;
  /** The headless root it happened in (several roots may notify one endpoint). */
  root: string;
  /** The task (task.failed, task.attention). */
  task?: string;
  /** Every task of the batch (batch.done), or the tasks a parked tool holds back. */
  tasks?: string[];
  /** The inbox file of a batch. */
  file?: string;
  tool?: string;
  /** What happened, in the words the ledger uses. */
  reason?: string;
  /** The one command that deals with it, e.g. `headless show t1`. */
  next?: string;
  /** Until when a parked tool or an open breaker waits. */
  until?: string;
  /** batch.done: how the batch's tasks ended, e.g. { done: 5, failed: 2 }. */
  counts?: Record<string, number>;
}

/** A title and one line of text for a desktop notification. Pure. */
export function summarize(ev: NotifyEvent): { title: string; body: string } {
  const title = `headless: ${TITLES[ev.event]}`;
  const subject = ev.task ?? ev.tool ?? ev.file ?? '';
  const counts = ev.counts
    ? Object.entries(ev.counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')
    : '';
  const parts = [
    subject,
    counts,
    ev.reason,
    ev.until ? `until ${ev.until}` : '',
    ev.next ? `→ ${ev.next}` : '',
  ];
  const body = parts.filter((p) => p).join(' · ');
  return { title, body: body.length > 240 ? `${body.slice(0, 239)}…` : body || ev.event };
}

const TITLES: Record<NotifyEventName, string> = {
  'task.failed': 'task failed',
  'task.attention': 'task needs attention',
  'batch.done': 'batch done',
  'tool.parked': 'tool parked',
  'budget.reached': 'budget reached',
  'breaker.opened': 'breaker opened',
};
