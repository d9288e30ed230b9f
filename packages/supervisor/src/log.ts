import path from 'node:path';
import winston from 'winston';
import type { RootLayout } from '@headless/core/paths';

/**
 * Stand-in for @headless/core/log/logger (same signature) until it lands: one JSON line per record
 * in logs/<component>.log, short human lines on the console in the foreground.
 */
export interface LoggerOptions {
  layout: RootLayout;
  component: string;
  console?: boolean;
  level?: string;
}

export function createLogger(opts: LoggerOptions): winston.Logger {
  const transports: winston.transport[] = [
    new winston.transports.File({
      filename: path.join(opts.layout.logsDir, `${opts.component}.log`),
      maxsize: 20 * 1024 * 1024,
      maxFiles: 5,
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    }),
  ];
  if (opts.console) {
    transports.push(
      new winston.transports.Console({
        format: winston.format.printf(
          (info) => `${new Date().toISOString().slice(11, 19)} ${opts.component} ${String(info.message)}`,
        ),
      }),
    );
  }
  return winston.createLogger({
    level: opts.level ?? 'info',
    defaultMeta: { component: opts.component },
    transports,
  });
}

export function closeLogger(logger: winston.Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
  });
}
