// Types of scripts/quality-lib.mjs, for its TypeScript test (packages/cli/src/quality/quality-lib.test.ts).

export declare const BUILT_IN_STEPS: readonly string[];

export interface QualityArgs {
  only: string[] | null;
  skip: string[];
  testPattern: string | null;
}
export declare function parseArgs(argv: readonly string[]): QualityArgs;
export declare function selectSteps(
  allNames: readonly string[],
  args: Pick<QualityArgs, 'only' | 'skip'>,
): string[];

export interface QualityStepConfig {
  name: string;
  command: string[];
  optional: boolean;
}
export declare function parseQualityConfig(text: string, file?: string): { steps: QualityStepConfig[] };

export declare function findOnPath(
  program: string,
  opts: {
    pathEnv: string | undefined;
    pathExt?: string | undefined;
    platform: string;
    exists: (p: string) => boolean;
  },
): string | null;

export declare function prettierFiles(output: string, root: string): string[];
export declare function eslintFiles(output: string, root: string): string[];
export declare function tscFiles(output: string, root: string): string[];
export declare function jestFiles(output: string, root: string): string[];
export declare function offendingFiles(step: string, output: string, root: string): string[];

export interface StepResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  seconds: number;
  log: string | null;
  files: string[];
  note?: string;
}
export declare function renderSummary(results: readonly StepResult[]): string;
