import type winston from 'winston';

/** A hook run before every worker (re)boot, for tests; recovery itself runs inside the worker. */
export type BeforeWorkerBoot = (root: string, log: winston.Logger) => Promise<void>;
