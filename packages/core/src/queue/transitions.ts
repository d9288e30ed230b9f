import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { faultPoint } from '../fault-points.js';
import type { LedgerRecord } from '../ledger/record.js';
import type { AttemptSummary, JournalEntry, TaskRecord, TaskState } from '../task/record.js';
import type { TaskResult } from '../task/result.js';
import type { EnqueueItem, EnqueueOutcome, QuarantineKind, QueueStore } from './store.js';
import { applyEnd, dropClaim, endState, required, taskLine, withAttempt } from './transition-patches.js';

/** Where transitions write their ledger lines (the `Ledger`; a shared store may bring its own). */
export interface LedgerSink {
  append(rec: Omit<LedgerRecord, 'v' | 'ts'> & { ts?: string }): Promise<void>;
}

export type LedgerLine = Omit<LedgerRecord, 'v' | 'ts'>;

type Stamp = (rec: TaskRecord, lines: LedgerLine[]) => TaskRecord;

const JOURNAL_KEPT = 12;

/** How an attempt ends for its task (decided by the worker's pure `decideAttemptEnd`). */
export type AttemptEnd =
  | { to: 'done'; note?: string }
  | { to: 'retry'; notBefore: Date; reason: string; delayMs?: number; ledgerReason?: string }
  | { to: 'failed'; reason: string; outcome: string }
  | { to: 'cancelled'; reason: string }
  /** Not counted: a stop interrupted it, or a breaker refused it before the tool started. */
  | { to: 'requeued'; reason: string; notBefore: Date; uncount: true }
  | { to: 'parked'; reason: string; kind: QuarantineKind; uncount: true }
  /** Needs a person (not logged in, a question, a suspect result): quarantine, kind `attention`, counted. */
  | { to: 'attention'; reason: string; outcome: string };

export interface TransitionsOptions {
  clock?: Clock;
  /** A ledger line could not be written after its store change; recovery writes it from the record. */
  onLedgerError?: (err: unknown, line: LedgerLine) => void;
}

/**
 * Every change of a task's state, one method each. Each does, in order: the legal-move check (the
 * store's), the record patch (attempts, history, reason, journal), the store change, and its ledger
 * lines. The lines go into the record's journal in the same store change, so a crash between the
 * store change and the ledger append is repaired by recovery (`catchUpLedger`).
 * Callers never patch history or write task lines to the ledger themselves.
 */
export class Transitions {
  private readonly clock: Clock;
  private inFlight = 0;
  /** A ledger append failed since start: the checkpoint must not move past it. */
  ledgerBehind = false;

  constructor(
    readonly store: QueueStore,
    private readonly ledger: LedgerSink,
    private readonly opts: TransitionsOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** No transition is between its store change and its ledger lines. */
  get settled(): boolean {
    return this.inFlight === 0;
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Runs one store change. `change` patches the record through `stamp`, which adds the move's
   * ledger lines to the record's journal (stamped with its new rev); once the store change is done
   * the same lines go to the ledger.
   */
  private async apply(
    name: string,
    change: (stamp: Stamp) => Promise<TaskRecord | null>,
    at?: string,
  ): Promise<TaskRecord | null> {
    this.inFlight++;
    try {
      const ts = at ?? this.iso();
      let stamped: JournalEntry[] = [];
      const stamp: Stamp = (rec, lines) => {
        stamped = lines.map((l) => ({ ...l, rev: rec.rev, ts }) as JournalEntry);
        return { ...rec, journal: [...(rec.journal ?? []), ...stamped].slice(-JOURNAL_KEPT) };
      };
      const rec = await change(stamp);
      if (!rec) return null;
      faultPoint(`transition.${name}:after-store`);
      for (const entry of stamped) await this.appendLine(entry);
      return rec;
    } finally {
      this.inFlight--;
    }
  }

  private async appendLine(entry: JournalEntry): Promise<void> {
    const { event, ...rest } = entry;
    const line = { ...rest, event } as LedgerLine;
    try {
      await this.ledger.append(line);
    } catch (err) {
      this.ledgerBehind = true;
      this.opts.onLedgerError?.(err, line);
    }
  }

  /** New tasks into the queue: `task.queued` for each stored one. */
  async enqueue(items: readonly EnqueueItem[]): Promise<EnqueueOutcome[]> {
    this.inFlight++;
    try {
      const now = this.iso();
      const records = items.map(({ spec, source }) => {
        const line: LedgerLine = {
          event: 'task.queued',
          task: spec.id,
          tool: spec.tool,
          repo: spec.repo,
          ...(source ? { file: source.file, line: source.line } : {}),
        };
        const record: TaskRecord = {
          id: spec.id,
          spec,
          state: 'queued',
          attempts: 0,
          crashes: 0,
          ...(spec.not_before ? { notBefore: new Date(spec.not_before).toISOString() } : {}),
          enqueuedAt: now,
          updatedAt: now,
          rev: 1,
          ...(source ? { source } : {}),
          history: [],
          journal: [{ ...line, rev: 1, ts: now } as JournalEntry],
        };
        return { record };
      });
      const outcomes = await this.store.enqueue(records);
      faultPoint('transition.enqueue:after-store');
      // All lines handed to the ledger at once (in order): one write for the batch, not one per task.
      const lines: Promise<void>[] = [];
      for (let i = 0; i < outcomes.length; i++) {
        const entry = records[i]?.record.journal?.[0];
        if (outcomes[i]?.result === 'queued' && entry) lines.push(this.appendLine(entry));
      }
      await Promise.all(lines);
      return outcomes;
    } finally {
      this.inFlight--;
    }
  }

  /** Takes a queued task for an attempt: counts it before any tool starts, writes `attempt.start`. */
  claim(
    id: string,
    owner: { workerPid: number; workerStart?: string },
    details: (rec: TaskRecord) => Record<string, unknown> = () => ({}),
    /** Fields written with the claim, before any tool starts (the session id headless chose). */
    patch: (rec: TaskRecord) => { sessionId?: string | undefined } = () => ({}),
  ): Promise<TaskRecord | null> {
    return this.apply('claim', (stamp) =>
      this.store.claim(id, (rec) => {
        const attempt = rec.attempts + 1;
        const { sessionId: _previous, ...base } = rec;
        const extra = patch(rec);
        // `sessionId` named (even as undefined) replaces the last attempt's session.
        const next: TaskRecord = {
          ...('sessionId' in extra ? base : rec),
          ...(extra.sessionId !== undefined ? { sessionId: extra.sessionId } : {}),
          attempts: attempt,
          claim: {
            workerPid: owner.workerPid,
            claimedAt: rec.updatedAt,
            ...(owner.workerStart ? { workerStart: owner.workerStart } : {}),
          },
        };
        return stamp(next, [
          {
            event: 'attempt.start',
            task: id,
            attempt,
            tool: rec.spec.tool,
            workerPid: owner.workerPid,
            ...details(next),
          },
        ]);
      }),
    );
  }

  /** The tool's pid once spawned. Not flushed: a pid means nothing after a power loss. */
  recordToolPid(id: string, pid: number, toolStart?: string): Promise<TaskRecord> {
    return this.store.update(
      id,
      'processing',
      (rec) =>
        rec.claim
          ? { ...rec, claim: { ...rec.claim, toolPid: pid, ...(toolStart ? { toolStart } : {}) } }
          : rec,
      { durable: false },
    );
  }

  /**
   * The session id a tool named while running (codex's `thread.started`), written at once and
   * durably: an attempt killed a second later can still be resumed by the next one.
   */
  recordSession(id: string, sessionId: string): Promise<TaskRecord> {
    return this.store.update(id, 'processing', (rec) => ({ ...rec, sessionId }));
  }

  /**
   * The end of an attempt: its summary into the history, the task to where `end` says, and the
   * `attempt.end` line (`attemptLine`: exit code, duration, usage, ...) plus the task's own line.
   * `result` (final message, usage, worktree changes) replaces the record's result in the same change.
   */
  endAttempt(
    id: string,
    summary: AttemptSummary,
    attemptLine: Record<string, unknown>,
    end: AttemptEnd,
    result?: TaskResult,
  ): Promise<TaskRecord> {
    const attempt = summary.attempt;
    const lines: LedgerLine[] = [{ event: 'attempt.end', task: id, attempt, ...attemptLine }];
    const to = endState(end);
    lines.push(taskLine(id, attempt, end));
    return this.apply(
      `end-${end.to}`,
      (stamp) =>
        this.store.move(id, 'processing', to, (rec) => {
          let next = withAttempt(dropClaim(rec), summary);
          next = applyEnd(result ? { ...next, result } : next, end);
          return stamp(next, lines);
        }),
      // The lines carry the time the attempt ended (its retry time is reckoned from it).
      summary.endedAt,
    ).then(required(id));
  }

  /**
   * A task whose worker died (recovery): back to the queue with the interrupted attempt on record,
   * or, after `maxCrashes`, failed as poison. `claimLost`: claimed but never started (not counted).
   */
  requeueOrphan(
    id: string,
    rec: TaskRecord,
    opts: { reason: string; now: Date; poison?: string; claimLost?: boolean },
  ): Promise<TaskRecord> {
    if (opts.claimLost) {
      return this.apply('requeue-orphan', (stamp) =>
        this.store.move(id, 'processing', 'queued', (r) =>
          stamp({ ...dropClaim(r), notBefore: opts.now.toISOString(), reason: opts.reason }, [
            { event: 'task.requeued', task: id, reason: opts.reason },
          ]),
        ),
      ).then(required(id));
    }
    const attempt = rec.attempts;
    const summary: AttemptSummary = {
      attempt,
      startedAt: rec.claim?.claimedAt ?? opts.now.toISOString(),
      endedAt: opts.now.toISOString(),
      outcome: opts.poison ? 'poison' : 'interrupted',
      reason: opts.reason,
    };
    const endLine: LedgerLine = {
      event: 'attempt.end',
      task: id,
      attempt,
      tool: rec.spec.tool,
      outcome: 'interrupted',
      reason: opts.reason,
      ...(rec.claim?.toolPid ? { pid: rec.claim.toolPid } : {}),
    };
    const to: TaskState = opts.poison ? 'failed' : 'queued';
    const taskLineOut: LedgerLine = opts.poison
      ? { event: 'task.failed', task: id, attempt, outcome: 'poison', reason: opts.poison }
      : { event: 'task.requeued', task: id, attempt, reason: opts.reason };
    return this.apply(opts.poison ? 'poison' : 'requeue-orphan', (stamp) =>
      this.store.move(id, 'processing', to, (r) => {
        let next: TaskRecord = { ...withAttempt(dropClaim(r), summary), crashes: r.crashes + 1 };
        next = opts.poison
          ? { ...next, reason: opts.poison }
          : { ...next, notBefore: opts.now.toISOString(), reason: `${opts.reason}; requeued by recovery` };
        return stamp(next, [endLine, taskLineOut]);
      }),
    ).then(required(id));
  }

  /** A run the worker could not carry through (its log device failed): back to the queue, attempts kept. */
  requeueFault(id: string, reason: string, notBefore: Date): Promise<TaskRecord> {
    return this.apply('requeue-fault', (stamp) =>
      this.store.move(id, 'processing', 'queued', (r) =>
        stamp({ ...dropClaim(r), notBefore: notBefore.toISOString(), reason }, [
          { event: 'task.requeued', task: id, reason },
        ]),
      ),
    ).then(required(id));
  }

  /**
   * A queued task whose `after` condition can no longer hold (a dependency failed, was cancelled or
   * vanished): failed without starting, outcome `dependency_failed` naming the dependency.
   */
  failDependency(id: string, on: string, reason: string): Promise<TaskRecord> {
    return this.apply('dependency-failed', (stamp) =>
      this.store.move(id, 'queued', 'failed', (r) => {
        const { notBefore: _nb, ...rest } = r;
        return stamp({ ...rest, reason, result: { ...r.result, outcome: 'dependency_failed' } }, [
          { event: 'task.failed', task: id, outcome: 'dependency_failed', dependency: on, reason },
        ]);
      }),
    ).then(required(id));
  }

  /** `headless cancel` of a task that is not running. */
  cancel(id: string, from: 'queued' | 'quarantine'): Promise<TaskRecord> {
    const reason = 'cancelled by the user';
    return this.apply('cancel', (stamp) =>
      this.store.move(id, from, 'failed', (r) =>
        stamp({ ...r, reason }, [{ event: 'task.cancelled', task: id, reason: `cancelled while ${from}` }]),
      ),
    ).then(required(id));
  }

  /** `headless retry`: back to the queue with fresh attempts and crash count. */
  userRetry(id: string, from: 'failed' | 'quarantine'): Promise<TaskRecord> {
    const reason = `retried by the user (was ${from})`;
    return this.apply('user-retry', (stamp) =>
      this.store.move(id, from, 'queued', (r) => {
        const { quarantineKind: _k, ...rest } = r;
        return stamp(
          { ...rest, attempts: 0, crashes: 0, notBefore: this.iso(), reason: 'retried by the user' },
          [{ event: 'task.requeued', task: id, reason }],
        );
      }),
    ).then(required(id));
  }

  /** A queued task whose tool is unavailable (breaker open): parked in quarantine until released. */
  park(id: string, reason: string, kind: QuarantineKind = 'breaker'): Promise<TaskRecord> {
    return this.apply('park', (stamp) =>
      this.store.move(id, 'queued', 'quarantine', (r) =>
        stamp({ ...r, reason, quarantineKind: kind }, [
          { event: 'task.quarantined', task: id, tool: r.spec.tool, reason },
        ]),
      ),
    ).then(required(id));
  }

  /** A parked task whose tool is available again. */
  release(id: string, reason: string): Promise<TaskRecord> {
    return this.apply('release', (stamp) =>
      this.store.move(id, 'quarantine', 'queued', (r) => {
        const { quarantineKind: _k, ...rest } = r;
        return stamp({ ...rest, notBefore: this.iso(), reason }, [
          { event: 'task.released', task: id, tool: r.spec.tool, reason },
        ]);
      }),
    ).then(required(id));
  }

  /**
   * A finished record past the retention leaves the store. Its ledger line comes after the store
   * change (there is no record left to journal it in): a crash between the two loses only that line.
   */
  async retire(state: 'done' | 'failed', id: string, how: 'delete' | 'archive'): Promise<boolean> {
    if (!(await this.store.retire(state, id, how))) return false;
    await this.appendLine({ event: 'task.retired', task: id, how, rev: 0, ts: this.iso() });
    return true;
  }
}
