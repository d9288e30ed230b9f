import type { ChildProcess } from 'node:child_process';
import { LineSplitter } from '@headless/core/process/line-splitter';

/** The child's output, line by line, to the slot's output; each stderr line also to `onStderr`. */
export function pipeOutput(
  child: ChildProcess,
  output: (stream: 'stdout' | 'stderr', line: string) => void,
  onStderr: (line: string) => void,
): void {
  const out = new LineSplitter((line) => output('stdout', line));
  const err = new LineSplitter((line) => {
    onStderr(line);
    output('stderr', line);
  });
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdout?.on('end', () => out.end());
  child.stderr?.on('end', () => err.end());
}

/**
 * The child's exit, once stdio had a moment to drain (so a stderr tail is complete) but without
 * waiting on 'close' alone: a tool that inherited the child's stdout would hold it open indefinitely.
 */
export function onExitSettled(
  child: ChildProcess,
  cb: (code: number | null, signal: NodeJS.Signals | null) => void,
): void {
  child.once('exit', (code, signal) => {
    let judged = false;
    const judge = (): void => {
      if (judged) return;
      judged = true;
      clearTimeout(timer);
      cb(code, signal);
    };
    // 200 ms: enough for pipes to drain after a normal exit, short against a restart's backoff.
    const timer = setTimeout(judge, 200);
    child.once('close', judge);
  });
}
