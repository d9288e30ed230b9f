import { describe, expect, it } from '@jest/globals';
import { renderReport, renderTable } from './report.js';

describe('renderTable', () => {
  it('pads columns to the widest cell', () => {
    expect(
      renderTable(
        ['tool', 'status'],
        [
          ['git', 'ok'],
          ['claude', 'WARN'],
        ],
      ),
    ).toBe('tool    status\n------  ------\ngit     ok\nclaude  WARN');
  });
});

describe('renderReport', () => {
  it('lists the hint of each missing tool and says ok when only tools are missing', () => {
    const text = renderReport({
      root: '/r',
      config: { tools: 'built-in', policies: 'built-in' },
      folders: [{ name: 'root', path: '/r', status: 'ok', detail: 'writable' }],
      tools: [
        {
          tool: 'git',
          executable: 'git',
          foundAt: '/usr/bin/git',
          version: 'git version 2.43.0',
          status: 'ok',
          detail: 'found',
        },
        {
          tool: 'aider',
          executable: 'aider',
          foundAt: null,
          version: null,
          status: 'warn',
          detail: 'aider not found on PATH: …',
        },
      ],
      exitCode: 0,
    });
    expect(text).toContain('git    git         /usr/bin/git  git version 2.43.0  ok');
    expect(text).toContain('\naider not found on PATH: …\n');
    expect(text.trimEnd().endsWith('doctor: ok (1 warning(s))')).toBe(true);
  });
});
