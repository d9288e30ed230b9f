/**
 * Platform gates for tests. The CI workflow runs every jest suite on windows-latest as well as
 * ubuntu, so a test that needs a POSIX-only feature (process groups, SIGSTOP, /proc, mode bits,
 * Unix sockets, shebang scripts as executables, …) says so through one of these gates, with the
 * reason, instead of an ad-hoc `process.platform === 'win32' ? describe.skip : describe`. Where the
 * test is skipped, the reason is in its title, so jest's output shows why. The guard test
 * (test-support/src/posix-guard.test.ts) fails for a test file that uses a POSIX-only marker
 * without a gate. Lives in core because core's own tests cannot import @headless/test-support,
 * which re-exports it.
 *
 * Prettier lays out `gate.it('…', async () => {` like any call, not like `it(`: where that would
 * re-indent a long test body, a `// prettier-ignore` above it keeps the change to the declaration.
 */
import { describe, it } from '@jest/globals';

type TestFn = Parameters<typeof it>[1];
type BlockFn = Parameters<typeof describe>[1];

export interface PlatformGate {
  /** jest's `it` where the feature exists, `it.skip` (with the reason in the title) elsewhere. */
  readonly it: (name: string, fn: TestFn, timeout?: number) => void;
  /** jest's `describe` where the feature exists, `describe.skip` (reason in the title) elsewhere. */
  readonly describe: (name: string, fn: BlockFn) => void;
  /** `describe.each(cases)` behind the same gate; `%s` in the name is each case, as in jest. */
  readonly describeEach: <T>(cases: readonly T[]) => (name: string, fn: (c: T) => void) => void;
  /** True where the gated tests are skipped. */
  readonly skipped: boolean;
}

/** The gate as a pure function of the platform, so its titles and choice are unit-tested anywhere. */
export function platformGate(
  runs: boolean,
  where: string,
  reason: string,
): { skipped: boolean; title: (name: string) => string } {
  if (reason.trim().length < 10) {
    throw new Error(`a platform gate needs a specific reason (what the test relies on), got "${reason}"`);
  }
  return {
    skipped: !runs,
    title: (name) => (runs ? name : `${name} [skipped ${where}: ${reason.trim()}]`),
  };
}

function gate(runs: boolean, where: string, reason: string): PlatformGate {
  const { skipped, title } = platformGate(runs, where, reason);
  return {
    skipped,
    it: (name, fn, timeout) => (skipped ? it.skip : it)(title(name), fn, timeout),
    describe: (name, fn) => (skipped ? describe.skip : describe)(title(name), fn),
    describeEach:
      <T>(cases: readonly T[]) =>
      (name: string, fn: (c: T) => void) =>
        (skipped ? describe.skip : describe).each<T>([...cases])(title(name), fn),
  };
}

/** Tests that need POSIX behaviour: skipped on Windows, with `reason` in their titles there. */
export function posixOnly(reason: string, platform: NodeJS.Platform = process.platform): PlatformGate {
  return gate(platform !== 'win32', 'on Windows', reason);
}

/** Tests that need Linux itself (/proc, tmpfs mounts): skipped elsewhere, `reason` in the title. */
export function linuxOnly(reason: string, platform: NodeJS.Platform = process.platform): PlatformGate {
  return gate(platform === 'linux', 'off Linux', reason);
}

/** Tests of a feature implemented for some platforms only: skipped on the others, with `reason`. */
export function onlyOn(
  platforms: readonly NodeJS.Platform[],
  reason: string,
  platform: NodeJS.Platform = process.platform,
): PlatformGate {
  return gate(platforms.includes(platform), `off ${platforms.join('/')}`, reason);
}

/** The reason of the suites that run a fake CLI by its extensionless path (test-support/fakes). */
export const FAKES_BY_PATH =
  'runs the fake CLIs by their extensionless #! path; on Windows the worker suites run them through their .cmd shims';
