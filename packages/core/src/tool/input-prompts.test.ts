import { describe, expect, it } from '@jest/globals';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig } from '../config/schema.js';
import { promptMatcher } from './input-prompts.js';

const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
const builtin = promptMatcher({ inputPatterns: [], builtinInputPatterns: true });

describe('prompt patterns', () => {
  it.each([
    'Continue? [y/N] ',
    'Overwrite file? [Y/n]',
    'Proceed (y/n)?',
    'Are you sure you want to continue connecting (yes/no/[fingerprint])? ',
    'Press Enter to continue…',
    'Password:',
    'Enter password: ',
    "Password for 'https://me@github.com': ",
    "Username for 'https://github.com': ",
    "Enter passphrase for key '/home/me/.ssh/id_ed25519': ",
    'Do you want to proceed?',
    '? Do you want to install the missing packages? ',
  ])('matches %j', (line) => {
    expect(builtin?.(line)).toBe(true);
  });

  it.each([
    'the question was "Continue? [y/N]" and I answered it',
    'password: updated in .env.example',
    '{"type":"result","result":"Do you want to keep the old API?"}',
    'Do you want to',
    '',
  ])('does not match %j', (line) => {
    expect(builtin?.(line)).toBe(false);
  });

  it("adds each AI CLI's own prompts, and a tool can turn the built-in ones off", () => {
    const claude = promptMatcher(tools.claude!);
    expect(claude?.('Do you trust the files in this folder?')).toBe(true);
    expect(promptMatcher(tools.gemini!)?.('Waiting for authentication...')).toBe(true);
    expect(promptMatcher(tools.codex!)?.('Would you like to run the following command?')).toBe(true);
    expect(promptMatcher({ inputPatterns: [], builtinInputPatterns: false })).toBeUndefined();
    expect(promptMatcher({ inputPatterns: ['^Ready\\?$'], builtinInputPatterns: false })?.('Ready?')).toBe(
      true,
    );
  });

  it('every tool in the defaults gets the built-in prompts', () => {
    for (const tool of Object.values(tools)) expect(promptMatcher(tool)?.('Continue? [y/N] ')).toBe(true);
  });
});
