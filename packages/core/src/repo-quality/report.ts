import path from 'node:path';
import type { GateResult, StepResult } from './types.js';

/**
 * The gate's result for people (the summary `headless quality` prints) and for agents (the prompt
 * of a verify round). Pure.
 */

const rel = (from: string, p: string): string => path.relative(from, p).split(path.sep).join('/') || '.';

/** One line per step, then what failed (at most `maxPerStep` lines each), then the verdict. */
export function renderSummary(result: GateResult, opts: { cwd: string; maxPerStep?: number }): string {
  const max = opts.maxPerStep ?? 50;
  const out: string[] = [];
  for (const s of result.steps) {
    const secs = (s.durationMs / 1000).toFixed(1);
    if (s.status === 'skipped') {
      out.push(`quality: ${s.name} skipped: ${s.note ?? ''}`.trimEnd());
      continue;
    }
    const log = s.log ? ` log: ${rel(opts.cwd, s.log)}` : '';
    const note = s.note ? ` (${s.note})` : '';
    out.push(`quality: ${s.name} ${s.status === 'failed' ? 'FAILED' : 'passed'} in ${secs} s${note}${log}`);
    if (s.status !== 'failed') continue;
    const lines = s.failures.length > 0 ? s.failures : (s.tail ?? []).map((l) => `| ${l}`);
    for (const f of lines.slice(0, max)) out.push(`  ${f}`);
    if (lines.length > max) out.push(`  … and ${lines.length - max} more (see the log)`);
  }
  const failed = result.steps.filter((s) => s.status === 'failed').map((s) => s.name);
  if (result.steps.length === 0) out.push('quality: no steps (nothing detected; see docs/quality.md)');
  out.push(failed.length > 0 ? `quality: FAILED (${failed.join(', ')})` : 'quality: passed');
  return `${out.join('\n')}\n`;
}

/** The reason a failed gate gives a task (ledger, `headless show`): short, names every failed step. */
export function failureReason(result: GateResult, maxPerStep = 3): string {
  const parts = result.steps
    .filter((s) => s.status === 'failed')
    .map((s) => {
      const shown = s.failures.slice(0, maxPerStep).join('; ');
      const more = s.failures.length > maxPerStep ? `; +${s.failures.length - maxPerStep} more` : '';
      return `${s.name}: ${shown || s.note || `exit code ${s.exitCode ?? '-'}`}${more}`;
    });
  return `quality gate failed: ${parts.join(' | ')}`;
}

export interface ContinuationOptions {
  /** This round and the limit (verify.maxRounds), said in the prompt so the agent knows. */
  round: number;
  maxRounds: number;
  /** The first N failure (or output) lines of each failed step. */
  maxLinesPerStep?: number;
  /** Hard cap on the whole prompt; a long line list is cut, the log paths always stay. */
  maxChars?: number;
}

/**
 * The prompt that resumes an agent's session after its work failed the gate: the failed steps,
 * the first lines of what each says, and where the full logs are. Bounded by lines and characters.
 */
export function continuationPrompt(result: GateResult, opts: ContinuationOptions): string {
  const perStep = opts.maxLinesPerStep ?? 20;
  const maxChars = opts.maxChars ?? 6000;
  const failed = result.steps.filter((s) => s.status === 'failed');
  const head =
    `The repository's quality gate failed after your changes (verify round ${opts.round} of ${opts.maxRounds}). ` +
    'Fix the causes with the smallest change. Do not weaken, skip or delete tests or checks.';
  const blocks = failed.map((s) => stepBlock(s, perStep));
  const logs = failed.filter((s) => s.log).map((s) => `- ${s.name}: ${s.log}`);
  const tail = logs.length > 0 ? `\n\nFull logs:\n${logs.join('\n')}` : '';
  let body = blocks.join('\n\n');
  const room = maxChars - head.length - tail.length - 4;
  if (body.length > room) body = `${body.slice(0, Math.max(0, room - 30)).trimEnd()}\n… (cut; see the logs)`;
  return `${head}\n\n${body}${tail}\n`;
}

function stepBlock(s: StepResult, perStep: number): string {
  const lines = s.failures.length > 0 ? s.failures : (s.tail ?? []);
  const shown = lines.slice(0, perStep).map((l) => `- ${l}`);
  if (lines.length > perStep) shown.push(`- … and ${lines.length - perStep} more`);
  const why = s.note ? `, ${s.note}` : '';
  return `${s.name} failed (exit code ${s.exitCode ?? '-'}${why}):\n${shown.join('\n') || '- (no output)'}`;
}
