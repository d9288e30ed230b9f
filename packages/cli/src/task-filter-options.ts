import { parseDuration } from './duration.js';
import type { TaskFilter } from './views/task-table.js';

/** The options `headless status` takes for its task table. */
export interface TaskFilterOptions {
  state?: string;
  tool?: string;
  since?: string;
  all?: boolean;
}

const list = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** `--state failed,blocked --tool claude --since 12h --all` as a TaskFilter (a bad --since is a usage error). */
export function taskFilterFromOptions(o: TaskFilterOptions): TaskFilter {
  const f: TaskFilter = {};
  const states = list(o.state);
  const tools = list(o.tool);
  if (states?.length) f.states = states;
  if (tools?.length) f.tools = tools;
  if (o.since !== undefined) f.sinceMs = parseDuration(o.since, '--since');
  if (o.all) f.all = true;
  return f;
}
