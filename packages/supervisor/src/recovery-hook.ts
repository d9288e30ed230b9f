import type winston from 'winston';

/** What @headless/recovery/recover reports (the fields the supervisor logs). */
export interface RecoveryReport {
  requeued: string[];
  poisoned: string[];
  killed: number[];
  notes: string[];
}

interface RecoveryModule {
  recover(opts: { root: string }): Promise<RecoveryReport>;
}

/** Runs before every worker (re)boot, after the dead worker's tool groups were killed. */
export type BeforeWorkerBoot = (root: string, log: winston.Logger) => Promise<void>;

// A variable specifier keeps tsc from requiring the module at build time: the recovery package is
// built by another part of the tree and may be absent in a partial build.
const RECOVERY_MODULE: string = '@headless/recovery/recover';

export const defaultRecovery: BeforeWorkerBoot = async (root, log) => {
  let mod: RecoveryModule;
  try {
    mod = (await import(RECOVERY_MODULE)) as RecoveryModule;
  } catch (err) {
    log.error(
      `recovery is not available (${err instanceof Error ? err.message : String(err)}); the worker starts without it`,
    );
    return;
  }
  const report = await mod.recover({ root });
  log.info(
    `recovery: ${report.requeued.length} requeued, ${report.poisoned.length} poisoned, ${report.killed.length} stray processes killed`,
    { report },
  );
  for (const note of report.notes) log.info(`recovery: ${note}`);
};
