import type { execa as Execa } from 'execa';

let loading: Promise<typeof Execa> | undefined;

/**
 * execa, loaded at the first spawn rather than at import: a booting worker reaches `worker.start`
 * (and the supervisor and `status` run) without compiling it (~110 modules, the largest package at
 * boot). Later calls get the loaded module.
 */
export function loadExeca(): Promise<typeof Execa> {
  loading ??= import('execa').then((m) => m.execa);
  return loading;
}
