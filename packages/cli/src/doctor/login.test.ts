import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { ToolsConfig } from '@headless/core/config/schema';
import { FAKES_DIR, pathWithFakes } from '@headless/test-support/fakes';
import { checkLogin, geminiLogin, readClaudeStatus, readCodexStatus } from './login.js';
import { FAKES_BY_PATH, posixOnly } from '@headless/test-support/platform';

const config = ToolsConfig.parse(defaultToolsConfig());
let home: string;
beforeAll(async () => {
  home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'login-')));
});
afterAll(() => fs.rm(home, { recursive: true, force: true }));

describe('login status readers (recorded outputs)', () => {
  it('reads claude auth status --json', () => {
    const out = (loggedIn: boolean) =>
      JSON.stringify({ loggedIn, authMethod: loggedIn ? 'claude.ai' : 'none' });
    expect(readClaudeStatus({ exitCode: 1, stdout: out(false), stderr: '' }).state).toBe('not logged in');
    expect(readClaudeStatus({ exitCode: 0, stdout: out(true), stderr: '' })).toEqual({
      state: 'logged in',
      detail: 'claude: logged in (claude.ai)',
    });
    expect(readClaudeStatus({ exitCode: 1, stdout: '', stderr: "error: unknown command 'auth'" }).state).toBe(
      'unknown',
    );
    expect(readClaudeStatus(null).state).toBe('unknown');
  });

  it('reads codex login status', () => {
    const warning = 'WARNING: proceeding, even though we could not create PATH aliases: …\n';
    expect(readCodexStatus({ exitCode: 1, stdout: '', stderr: `${warning}Not logged in\n` }).state).toBe(
      'not logged in',
    );
    expect(readCodexStatus({ exitCode: 0, stdout: '', stderr: 'Logged in using ChatGPT\n' })).toEqual({
      state: 'logged in',
      detail: 'codex: Logged in using ChatGPT',
    });
    expect(
      readCodexStatus({
        exitCode: 2,
        stdout: '',
        stderr: `${warning}error: unrecognized subcommand 'status'`,
      }),
    ).toEqual({
      state: 'unknown',
      detail: "codex login status: error: unrecognized subcommand 'status'",
    });
  });

  it('judges gemini from its environment and cached login', async () => {
    expect(geminiLogin({ HOME: home }).state).toBe('not logged in');
    expect(geminiLogin({ HOME: home, GEMINI_API_KEY: 'x' }).state).toBe('unknown');
    await fs.mkdir(path.join(home, '.gemini'), { recursive: true });
    await fs.writeFile(path.join(home, '.gemini', 'oauth_creds.json'), '{}');
    expect(geminiLogin({ HOME: home }).detail).toMatch(/cached Google login/);
  });
});

posixOnly(FAKES_BY_PATH).describe('checkLogin against the fake CLIs', () => {
  const env = (extra: Record<string, string> = {}) => ({ PATH: pathWithFakes(), HOME: home, ...extra });
  it('asks claude and codex without a model call, with the env the worker gives them', async () => {
    for (const tool of ['claude', 'codex'] as const) {
      const file = path.join(FAKES_DIR, tool);
      const out = await checkLogin(tool, config.tools[tool]!, file, config, env());
      expect(out?.state).toBe('not logged in');
      // FAKE_LOGGED_IN is not in envPass: the worker would not pass it, so neither does doctor.
      expect(
        (await checkLogin(tool, config.tools[tool]!, file, config, env({ FAKE_LOGGED_IN: '1' })))?.state,
      ).toBe('not logged in');
      const passing = { ...config, envPass: [...config.envPass, 'FAKE_*'] };
      expect(
        (await checkLogin(tool, config.tools[tool]!, file, passing, env({ FAKE_LOGGED_IN: '1' })))?.state,
      ).toBe('logged in');
    }
  });

  it('has no login check for tools without one', async () => {
    expect(await checkLogin('git', config.tools.git!, '/usr/bin/git', config, env())).toBeUndefined();
  });
});
