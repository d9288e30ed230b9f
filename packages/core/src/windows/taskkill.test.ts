import { describe, expect, it } from '@jest/globals';
import { parseTaskkillOutput, taskkillArgs } from './taskkill.js';

describe('taskkillArgs', () => {
  it('ends the whole tree by force', () => {
    expect(taskkillArgs(4321)).toEqual({ command: 'taskkill', args: ['/PID', '4321', '/T', '/F'] });
  });
  it('refuses something that is not a pid', () => {
    expect(() => taskkillArgs(0)).toThrow(RangeError);
    expect(() => taskkillArgs(1.5)).toThrow(RangeError);
  });
});

describe('parseTaskkillOutput', () => {
  it('lists every process it ended', () => {
    const stdout =
      'SUCCESS: The process with PID 5678 (child process of PID 1234) has been terminated.\r\n' +
      'SUCCESS: The process with PID 1234 (child process of PID 999) has been terminated.\r\n';
    expect(parseTaskkillOutput(stdout, '', 0)).toEqual({
      ok: true,
      notFound: false,
      terminated: [5678, 1234],
      failed: [],
    });
  });

  it('treats a pid that is already gone as done', () => {
    const r = parseTaskkillOutput('', 'ERROR: The process "1234" not found.\r\n', 128);
    expect(r.ok).toBe(true);
    expect(r.notFound).toBe(true);
  });

  it('reports a process it could not end, with the reason', () => {
    const stderr =
      'ERROR: The process with PID 5678 (child process of PID 1234) could not be terminated.\r\nReason: Access is denied.\r\n';
    const r = parseTaskkillOutput(
      'SUCCESS: The process with PID 1234 (child process of PID 1) has been terminated.\r\n',
      stderr,
      1,
    );
    expect(r.ok).toBe(false);
    expect(r.terminated).toEqual([1234]);
    expect(r.failed).toEqual([{ pid: 5678, reason: 'Access is denied.' }]);
  });

  it('does not count a child that exited meanwhile as a failure', () => {
    const stderr =
      'ERROR: The process with PID 77 (child process of PID 1234) could not be terminated.\r\nReason: There is no running instance of the task.\r\n';
    const r = parseTaskkillOutput(
      'SUCCESS: The process with PID 1234 (child process of PID 1) has been terminated.\r\n',
      stderr,
      1,
    );
    expect(r.ok).toBe(true);
  });

  it('relies on the exit code when the words are translated', () => {
    expect(parseTaskkillOutput('ERFOLGREICH: Der Prozess mit PID 12 wurde beendet.', '', 0).ok).toBe(true);
    expect(parseTaskkillOutput('', 'FEHLER: Der Prozess "12" wurde nicht gefunden.', 128).ok).toBe(true);
    expect(parseTaskkillOutput('', 'FEHLER: Zugriff verweigert', 1).ok).toBe(false);
  });
});
