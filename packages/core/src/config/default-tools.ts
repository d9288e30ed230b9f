import type { z } from 'zod';
import type { ToolsConfig } from './schema.js';

/**
 * The built-in config/tools.json: what a root with no config runs on and what `headless init` writes.
 * (Placeholder with git only; the full adapter set is filled in with the tool adapters.)
 */
export function defaultToolsConfig(): z.input<typeof ToolsConfig> {
  return {
    tools: {
      git: {
        description: 'git, never prompting',
        executable: 'git',
        argv: ['{args}'],
        env: { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' },
      },
    },
    loops: {},
  };
}
