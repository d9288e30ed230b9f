import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';

/** A non-negative number of seconds from an option, or a usage error naming the option. */
export function parseSeconds(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new HeadlessError(
      `${option} must be a number of seconds (0 or more), not "${text}"`,
      ExitCode.usage,
    );
  }
  return n;
}

/** A number of seconds above 0 from an option, or a usage error naming the option. */
export function parsePositiveSeconds(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new HeadlessError(`${option} must be a positive number of seconds, not "${text}"`, ExitCode.usage);
  }
  return n;
}

/** A positive whole number from an option, or a usage error naming the option. */
export function parseCount(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new HeadlessError(`${option} must be a whole number of 1 or more, not "${text}"`, ExitCode.usage);
  }
  return n;
}
