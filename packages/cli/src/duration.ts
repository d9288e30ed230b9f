import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `45s`, `30m`, `12h`, `7d`, `2w` (and `0d`) in ms; a clear usage error names the option otherwise. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  if (!m) {
    throw new HeadlessError(
      `${option}: "${text}" is not a duration; write a number and a unit, such as 30m, 12h or 7d`,
      ExitCode.usage,
    );
  }
  return Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number);
}
