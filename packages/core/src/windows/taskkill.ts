/**
 * Ending a process tree on Windows with `taskkill /PID <pid> /T /F`, run by the caller through
 * execFile with `windowsHide: true` (tree-kill runs it through a shell without windowsHide and
 * flashes a console). Pure: the argv, and what the output says.
 *
 * taskkill prints one line per process (English Windows):
 *   SUCCESS: The process with PID 4321 (child process of PID 1234) has been terminated.
 *   ERROR: The process with PID 4321 (child process of PID 1234) could not be terminated.
 *   Reason: Access is denied.
 *   ERROR: The process "1234" not found.
 * Exit code 0 when all were ended, 128 when the pid does not exist, 1 (or 255) otherwise. Other
 * languages translate the words, so the exit code and the pids carry the meaning.
 */

export function taskkillArgs(pid: number): { command: 'taskkill'; args: string[] } {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a process id: ${pid}`);
  return { command: 'taskkill', args: ['/PID', String(pid), '/T', '/F'] };
}

export interface TaskkillResult {
  /** Every process of the tree is gone (or was gone already). */
  ok: boolean;
  /** The root pid did not exist (already exited). */
  notFound: boolean;
  terminated: number[];
  failed: { pid: number; reason: string }[];
}

export function parseTaskkillOutput(stdout: string, stderr: string, exitCode: number | null): TaskkillResult {
  const terminated: number[] = [];
  const failed: { pid: number; reason: string }[] = [];
  const lines = `${stdout}\n${stderr}`.split(/\r?\n/).map((l) => l.trim());
  let notFound = false;
  lines.forEach((line, i) => {
    const pid = firstPid(line);
    if (/^SUCCESS\b/i.test(line) && pid !== undefined) terminated.push(pid);
    else if (/^ERROR\b/i.test(line)) {
      if (/not found/i.test(line)) notFound = true;
      else if (pid !== undefined) {
        const next = lines[i + 1] ?? '';
        failed.push({ pid, reason: /^Reason:/i.test(next) ? next.replace(/^Reason:\s*/i, '') : line });
      }
    }
  });
  if (exitCode === 128) notFound = true;
  // "There is no running instance of the task" means that one exited on its own meanwhile.
  const realFailures = failed.filter((f) => !/no running instance/i.test(f.reason));
  const ok = exitCode === 0 || (realFailures.length === 0 && (notFound || terminated.length > 0));
  return { ok, notFound, terminated, failed };
}

function firstPid(line: string): number | undefined {
  const m = /\bPID (\d+)/i.exec(line) ?? /"(\d+)"/.exec(line);
  return m?.[1] ? Number(m[1]) : undefined;
}
