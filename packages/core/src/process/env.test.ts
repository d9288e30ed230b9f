import { describe, expect, it } from '@jest/globals';
import { buildChildEnv, matchesEnvPattern } from './env.js';

const parent = {
  PATH: '/usr/bin',
  HOME: '/home/u',
  LC_ALL: 'C',
  LC_TIME: 'de_DE',
  LANG: 'en_US.UTF-8',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
  ANTHROPIC_API_KEY: 'sk-ant-12345',
  GITHUB_TOKEN: 'ghp_abcdef',
  SHORT_TOKEN: 'abc',
  UNRELATED: 'x',
};

describe('matchesEnvPattern', () => {
  it('matches exact, prefix, suffix and substring patterns', () => {
    expect(matchesEnvPattern('PATH', 'PATH', false)).toBe(true);
    expect(matchesEnvPattern('PATHEXT', 'PATH', false)).toBe(false);
    expect(matchesEnvPattern('LC_ALL', 'LC_*', false)).toBe(true);
    expect(matchesEnvPattern('XLC_ALL', 'LC_*', false)).toBe(false);
    expect(matchesEnvPattern('GITHUB_TOKEN', '*_TOKEN', false)).toBe(true);
    expect(matchesEnvPattern('TOKEN_X', '*_TOKEN', false)).toBe(false);
    expect(matchesEnvPattern('MY_KEY_ID', '*KEY*', false)).toBe(true);
    expect(matchesEnvPattern('Path', 'PATH', false)).toBe(false);
    expect(matchesEnvPattern('Path', 'PATH', true)).toBe(true);
  });
});

describe('buildChildEnv', () => {
  it('passes only allow-listed names and withholds the rest', () => {
    const { env } = buildChildEnv(parent, {
      pass: ['PATH', 'HOME', 'LC_*'],
      secretNames: [],
      platform: 'linux',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LC_ALL: 'C', LC_TIME: 'de_DE' });
  });

  it("never passes the supervisor's socket and token, whatever the allow-list", () => {
    const withIpc = {
      ...parent,
      HEADLESS_IPC_PATH: '/run/hl/s.sock',
      HEADLESS_IPC_TOKEN: 'tok-0123456789',
      HEADLESS_SUPERVISED: '1',
    };
    const linux = buildChildEnv(withIpc, {
      pass: ['HEADLESS_*', 'PATH'],
      secretNames: [],
      platform: 'linux',
    });
    expect(linux.env).toEqual({ PATH: '/usr/bin', HEADLESS_SUPERVISED: '1' });
    const win = buildChildEnv(
      { headless_ipc_token: 'tok-0123456789', Path: 'C:\\bin' },
      { pass: ['*'], secretNames: [], platform: 'win32' },
    );
    expect(win.env).toEqual({ Path: 'C:\\bin' });
  });

  it("adds the tool's extra names, the task's values and the tool's settings, settings last", () => {
    const { env } = buildChildEnv(parent, {
      pass: ['PATH'],
      extraPass: ['ANTHROPIC_*'],
      taskEnv: { GIT_TERMINAL_PROMPT: '1', FEATURE: 'on' },
      set: { GIT_TERMINAL_PROMPT: '0' },
      secretNames: [],
      platform: 'linux',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      ANTHROPIC_API_KEY: 'sk-ant-12345',
      GIT_TERMINAL_PROMPT: '0',
      FEATURE: 'on',
    });
  });

  it('returns the values of secret-named variables that reach the child (4 characters or more)', () => {
    const { secrets } = buildChildEnv(parent, {
      pass: ['*'],
      set: { OPENAI_API_KEY: 'sk-openai-999' },
      secretNames: ['ANTHROPIC_*', '*_TOKEN', 'OPENAI_API_KEY', '*SECRET*'],
      platform: 'linux',
    });
    expect(secrets.sort()).toEqual(['aws-secret-value', 'ghp_abcdef', 'sk-ant-12345', 'sk-openai-999']);
  });

  it('reports no secret for a variable the child does not get', () => {
    const { secrets } = buildChildEnv(parent, {
      pass: ['PATH'],
      secretNames: ['*_TOKEN'],
      platform: 'linux',
    });
    expect(secrets).toEqual([]);
  });

  it('compares names case-insensitively on Windows and keeps one spelling per variable', () => {
    const win = { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', github_token: 'ghp_lower' };
    const { env, secrets } = buildChildEnv(win, {
      pass: ['PATH', 'SYSTEMROOT', 'GITHUB_*'],
      set: { PATH: 'C:\\tools;C:\\Windows' },
      secretNames: ['*_TOKEN'],
      platform: 'win32',
    });
    expect(env).toEqual({
      PATH: 'C:\\tools;C:\\Windows',
      SystemRoot: 'C:\\Windows',
      github_token: 'ghp_lower',
    });
    expect(secrets).toEqual(['ghp_lower']);
    expect(buildChildEnv(win, { pass: ['PATH'], secretNames: [], platform: 'linux' }).env).toEqual({});
  });
});
