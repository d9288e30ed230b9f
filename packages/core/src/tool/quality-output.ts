import { failureReason } from '../repo-quality/report.js';
import type { GateResult } from '../repo-quality/types.js';
import type { ParsedOutput } from './output-parsers.js';

/**
 * The built-in `quality` tool's output (`headless quality --json`): the gate's result as one JSON
 * object. A failed gate is a permanent failure (running the same code again fails the same way)
 * whose reason names every failed step and its first findings; no JSON means the gate could not
 * run (usage or config error, exit 2), which the exit code and stderr explain.
 */
export function parseQualityJson(stdout: string): ParsedOutput {
  // `--json` prints one document and nothing else on stdout (progress goes to stderr).
  let obj: Partial<GateResult> | undefined;
  try {
    obj = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Partial<GateResult>;
  } catch {
    return {};
  }
  if (typeof obj !== 'object' || obj === null) return {};
  if (typeof obj.passed !== 'boolean' || !Array.isArray(obj.steps)) return {};
  const result = obj as GateResult;
  if (result.passed) return { completed: true };
  return { failure: { class: 'permanent', reason: failureReason(result), text: failureReason(result, 20) } };
}
