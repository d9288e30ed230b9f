import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { taskLogFile } from './log/task-log.js';
import { buildCommand } from './tool/command.js';
import { ToolSpec } from './config/schema.js';

/**
 * Windows APIs refuse paths over MAX_PATH (259 characters) unless long paths are enabled, which a
 * user cannot be asked to do. Every path headless derives from a task id must fit for a default
 * root (`C:\Users\<name>\headless`, a 20-character user name) and the longest id (128).
 */
const WINDOWS_MAX_PATH = 259;
const root = 'C:\\Users\\abcdefghijklmnopqrst\\headless';
const id = 'i'.repeat(128);
const w = path.win32;

describe('Windows path budget for the longest task id', () => {
  it('fits every path derived from the id', () => {
    const tasks = w.join(root, '.tasks');
    const scratch = w.join(tasks, 'run', 'scratch', id);
    const prompt = buildCommand(
      'aider',
      ToolSpec.parse({
        executable: 'aider',
        argv: ['--message-file', '{promptFile}'],
        prompt: { via: 'file' },
      }),
      { id, args: [], files: [], flags: [], repo: root, prompt: 'p' },
      { scratchDir: scratch },
    ).files[0]?.path as string;
    const paths = {
      // writeFileAtomic's temp name: `<file>.<pid>.<12 hex>.tmp`
      record: `${w.join(tasks, 'processing', `${id}.json`)}.4194304.abcdefabcdef.tmp`,
      archived: w.join(tasks, 'archive', `${id}.2026-12-01T20-00-00-000Z.json`),
      log: taskLogFile(w.join(root, 'logs'), id).replaceAll('/', '\\'),
      prompt,
      cancel: w.join(tasks, 'run', 'cancel', id),
    };
    const over = Object.entries(paths).filter(([, p]) => p.length > WINDOWS_MAX_PATH);
    expect(over).toEqual([]);
  });
});
