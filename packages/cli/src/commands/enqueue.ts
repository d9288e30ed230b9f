import type { Command } from 'commander';

// Placeholder until the command is written; kept so the command table stays stable.
export function register(_program: Command): void {}
