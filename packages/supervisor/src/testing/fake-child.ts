import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { installTestFaults } from '@headless/core/faults';
import { connectSupervisor } from '@headless/core/ipc/client';
import type { Component, RunningTask } from '@headless/core/ipc/events';

/**
 * A stand-in child for supervisor tests, driven by env:
 * - FAKE_COMPONENT: worker | orchestrator (default worker);
 * - HEADLESS_TEST_FAULTS: the real fault switches (crash-at-boot, crash-after, block-event-loop-after);
 * Switches take 1 (on) or a list of components (on for those):
 * - FAKE_SPAWN_TOOL: starts a "tool" (a process-group leader that ignores SIGTERM) and reports it;
 * - FAKE_IGNORE_SHUTDOWN: ignores the shutdown request and SIGTERM;
 * - FAKE_NO_HEARTBEAT: never beats;
 * - FAKE_BAD_EVENTS: sends an event outside the allow-list and one with a bad payload;
 * - FAKE_STATE_DIR: writes <component>-<pid>.json there with its pid and its tool's pid.
 */
const component = (process.env['FAKE_COMPONENT'] ?? 'worker') as Component;
installTestFaults(component);

/** A switch is on for this child when its value is 1 or a list naming this component. */
function flag(name: string): boolean {
  const value = process.env[name];
  return value === '1' || (value ?? '').split(',').includes(component);
}

const running: RunningTask[] = [];
let toolPid: number | undefined;

function killTool(signal: NodeJS.Signals): void {
  if (toolPid === undefined) return;
  try {
    process.kill(-toolPid, signal);
  } catch {
    // Already gone.
  }
}

function spawnTool(): number {
  const tool = spawn(
    process.execPath,
    ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"],
    // A group leader, like the real runner's tools: one signal to -pid reaches all it starts.
    { detached: true, stdio: 'ignore', windowsHide: true },
  );
  tool.unref();
  if (tool.pid === undefined) throw new Error('could not spawn the fake tool');
  return tool.pid;
}

const link = await connectSupervisor({ component });
if (!link) {
  process.stderr.write('fake-child: not supervised\n');
  process.exit(2);
}

link.onLost(() => {
  // The supervisor is gone: nobody else would ever stop the tool.
  killTool('SIGKILL');
  process.exit(3);
});

link.onShutdown(({ reason }) => {
  if (flag('FAKE_IGNORE_SHUTDOWN')) return;
  process.stdout.write(`fake-child: shutdown (${reason})\n`);
  // Polite only: the tool ignores SIGTERM, so the supervisor has to finish the job.
  killTool('SIGTERM');
  link.close();
  process.exit(0);
});

if (flag('FAKE_IGNORE_SHUTDOWN')) process.on('SIGTERM', () => {});

if (flag('FAKE_SPAWN_TOOL')) {
  toolPid = spawnTool();
  const task = { id: 'task-1', attempt: 1, tool: 'fake', pid: toolPid };
  running.push(task);
  link.send('task-started', task);
}

const stateDir = process.env['FAKE_STATE_DIR'];
if (stateDir) {
  // Written aside and renamed: the test polls the folder and must never read a half-written file.
  const file = path.join(stateDir, `${component}-${process.pid}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ pid: process.pid, toolPid }));
  fs.renameSync(`${file}.tmp`, file);
}

if (flag('FAKE_BAD_EVENTS')) {
  // Bypass the types on purpose: this is what a confused or hostile peer would send.
  const raw = (event: string, payload: unknown): void =>
    (link.send as (e: string, p: unknown) => void)(event, payload);
  raw('format-disk', { now: true });
  raw('heartbeat', { component, pid: 'not a number' });
}

link.send('ready', { component, pid: process.pid });
if (!flag('FAKE_NO_HEARTBEAT')) link.startHeartbeat(() => running);
process.stdout.write(`fake-child: ${component} ready (pid ${process.pid})\n`);
// Stay alive until told otherwise.
setInterval(() => {}, 60_000);
