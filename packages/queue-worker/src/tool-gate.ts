import { MissingTaskError } from '@headless/core/queue/store';
import type { WorkerContext } from './context.js';

/** Output formats of AI agents: the tools `policies.budget` caps together. */
const AI_FORMATS = new Set(['claude-json', 'codex-jsonl', 'gemini-json', 'aider']);

/** Whether `policies.budget` (all AI tools together) applies to this tool. */
export function isAiTool(ctx: Pick<WorkerContext, 'tools'>, tool: string): boolean {
  const t = ctx.tools.tools[tool];
  return t !== undefined && AI_FORMATS.has(t.output);
}

/**
 * Of these tools (those with queued tasks), the ones that may not start an attempt now, with why: parked by a limit
 * or a failed login, or over a spend cap (which parks the tool until its day or month ends, reason
 * `budget: $1.20 of $1.00 spent today`). Their tasks stay queued and spend no attempt.
 */
export async function heldToolsOf(
  ctx: Pick<WorkerContext, 'parks' | 'spend' | 'tools' | 'clock'>,
  tools: Iterable<string>,
): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  const now = new Date(ctx.clock.now());
  for (const tool of tools) {
    const park = await ctx.parks.holding(tool);
    if (park) {
      held.set(
        tool,
        park.kind === 'login'
          ? `${tool} needs login: ${park.reason.replace(/^needs login: /, '')}`
          : `${tool} parked until ${park.until ?? '?'}: ${park.reason}`,
      );
      continue;
    }
    if (!isAiTool(ctx, tool)) continue;
    const v = ctx.spend.verdict(tool, now);
    if (!v.over) continue;
    await ctx.parks.parkBudget(tool, v.until, v.reason);
    held.set(tool, `${tool} parked until ${v.until.toISOString()}: ${v.reason}`);
  }
  return held;
}

/**
 * `retry --reset-breaker <tool>` after a login: the tasks held for attention because `tool` was not
 * logged in go back to the queue with the tool's park lifted (the user logged in, as the reason asked).
 */
export async function releaseLoginHeld(
  ctx: Pick<WorkerContext, 'store' | 'transitions'>,
  tool: string,
): Promise<number> {
  let n = 0;
  for (const rec of await ctx.store.list('quarantine')) {
    if (rec.quarantineKind !== 'attention' || rec.spec.tool !== tool) continue;
    if (rec.history[rec.history.length - 1]?.outcome !== 'auth') continue;
    try {
      await ctx.transitions.release(rec.id, `${tool} breaker reset (after a login): trying again`);
      n++;
    } catch (err) {
      if (!(err instanceof MissingTaskError)) throw err;
    }
  }
  return n;
}
