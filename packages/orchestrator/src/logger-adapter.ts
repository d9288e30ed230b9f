// TEMPORARY stand-in for @headless/core/log/logger until it lands (same call shape); replaced at the end.
import fs from 'node:fs';
import path from 'node:path';
import type { RootLayout } from '@headless/core/paths';
import type { Log } from './log-sink.js';

export interface AdapterLogger extends Log {
  file: string;
}

export function createLogger(opts: {
  layout: RootLayout;
  component: string;
  console?: boolean;
  level?: string;
  logs?: unknown;
}): AdapterLogger {
  const file = path.join(opts.layout.logsDir, `${opts.component}.log`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    const rec = JSON.stringify({
      timestamp: new Date().toISOString(),
      level,
      component: opts.component,
      message,
      ...meta,
    });
    fs.appendFileSync(file, rec + '\n');
    if (opts.console) process.stderr.write(`${level} ${message}\n`);
  };
  return { file, info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };
}

export function closeLogger(_logger: AdapterLogger): Promise<void> {
  return Promise.resolve();
}
