import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from '@jest/globals';
import { linuxOnly } from '@headless/test-support/platform';

const chaosNeedsProc = linuxOnly('the chaos campaigns find leftover processes and memory through /proc');

/**
 * The short chaos campaign (`node chaos/run.mjs --short`) as part of `npm test`: a few SIGKILLs of
 * the worker, orchestrator and supervisor under load, torn files, fuzzed inbox and config files,
 * a flooding tool and a vanishing repo, against the built packages. The long campaign is
 * `npm run chaos`. Linux only: leftover processes are found through /proc.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface ChaosResult {
  seed: number;
  seconds: number;
  rows: [string, string, string | number, boolean | 'finding'][];
  violations: string[];
  findings: string[];
}

function runChaos(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'chaos', 'run.mjs'), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const row = (r: ChaosResult, campaign: string, check: RegExp) =>
  r.rows.find(([c, k]) => c === campaign && check.test(k));

describe('chaos (short)', () => {
  chaosNeedsProc.it(
    'loses no task, leaves no process and no task in processing, and refuses every bad input',
    async () => {
      const json = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'hl-chaos-json-')), 'result.json');
      const { code, output } = await runChaos(['--short', '--json', json]);
      const result = JSON.parse(await fs.readFile(json, 'utf8')) as ChaosResult;
      await fs.rm(path.dirname(json), { recursive: true, force: true });
      // The table and the violations are the message when this fails.
      expect({ violations: result.violations, code }).toEqual({ violations: [], code: 0 });
      expect(output).toMatch(/\| kill +\| tasks lost +\| 0 /);
      expect(row(result, 'kill', /^tasks lost$/)?.[2]).toBe(0);
      expect(row(result, 'kill', /^orphan processes$/)?.[2]).toBe(0);
      expect(row(result, 'kill', /^tasks left in processing$/)?.[2]).toBe(0);
      expect(Number(String(row(result, 'kill', /^kills/)?.[2]).split(' ')[0])).toBeGreaterThanOrEqual(8);
      expect(row(result, 'garbage', /^worker crashes$/)?.[2]).toBe(0);
      for (const r of result.rows)
        expect({ check: `${r[0]}: ${r[1]}`, ok: r[3] !== false }).toEqual({
          check: `${r[0]}: ${r[1]}`,
          ok: true,
        });
    },
    150_000,
  );
});
