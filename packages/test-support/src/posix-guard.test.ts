import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { adHocSkipLines, auditTestFile, hasPlatformGate, posixMarkersIn } from './posix-markers.js';

// This file runs as packages/test-support/dist/posix-guard.test.js; the sources are beside dist.
const PACKAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function testSources(): string[] {
  return fs
    .readdirSync(PACKAGES)
    .flatMap((pkg) => {
      const src = path.join(PACKAGES, pkg, 'src');
      if (!fs.existsSync(src)) return [];
      return (
        fs
          .readdirSync(src, { recursive: true, encoding: 'utf8' })
          // This file's rule tests hold markers and hand-made skips as data.
          .filter((f) => f.endsWith('.test.ts') && path.basename(f) !== 'posix-guard.test.ts')
          .map((f) => path.join(src, f))
      );
    })
    .sort();
}

describe('the POSIX guard: no test assumes POSIX without a gate that says why', () => {
  it('finds every test source (the scan is not silently empty)', () => {
    const files = testSources();
    expect(files.length).toBeGreaterThan(100);
    expect(files.map((f) => path.basename(f))).toContain('kill-tree.test.ts');
  });

  it('passes every test file in packages/*/src', () => {
    const findings = testSources().flatMap((file) =>
      auditTestFile(path.relative(PACKAGES, file).split(path.sep).join('/'), fs.readFileSync(file, 'utf8')),
    );
    expect(findings).toEqual([]);
  });
});

describe('the POSIX guard rules (on small texts)', () => {
  it('finds the markers in code and not in comments', () => {
    expect(posixMarkersIn("process.kill(pid, 'SIGSTOP');")).toEqual(['SIGSTOP/SIGCONT']);
    expect(posixMarkersIn('// a SIGSTOP for 70 s: no timer runs\nconst x = 1;')).toEqual([]);
    expect(posixMarkersIn("spawn('sh', ['-c', 'setsid sleep 1 &'])")).toEqual(['setsid', 'a POSIX shell']);
    expect(posixMarkersIn('fs.readFileSync(`/proc/${pid}/stat`)')).toEqual(['/proc']);
    expect(posixMarkersIn("it('reads /proc/self/mounts lines', () => parse(text))")).toEqual([]);
    expect(posixMarkersIn('process.kill(-pid, "SIGKILL")')).toEqual(['a process-group kill']);
    expect(posixMarkersIn("await fs.writeFile(p, '#!/bin/sh\\n', { mode: 0o755 });")).toEqual(['mode bits']);
    expect(posixMarkersIn('await fs.symlink(a, b); fs.chmodSync(d, 0o777)')).toEqual(['chmod', 'a symlink']);
    expect(posixMarkersIn("child.kill('SIGKILL'); path.join(dir, 'a')")).toEqual([]);
    expect(posixMarkersIn("child.kill('SIGTERM')")).toEqual(['a SIGTERM sent']);
    expect(posixMarkersIn("process.on('SIGTERM', () => {})")).toEqual([]);
  });

  it('accepts a gate or a comment that says why the code is portable', () => {
    expect(hasPlatformGate("const g = posixOnly('uses process groups');")).toBe(true);
    expect(hasPlatformGate("linuxOnly('reads /proc').it('x', () => {})")).toBe(true);
    expect(hasPlatformGate('// posix-guard: portable (the symlink is made only off Windows)')).toBe(true);
    expect(hasPlatformGate("it('x', () => {})")).toBe(false);
  });

  it('fails a marked file without a gate, naming the file and the markers', () => {
    expect(auditTestFile('a.test.ts', "process.kill(pid, 'SIGCONT')")).toEqual([
      'a.test.ts: uses SIGSTOP/SIGCONT without posixOnly()/linuxOnly() (or a "posix-guard: portable" comment saying why it runs on Windows)',
    ]);
    expect(
      auditTestFile('b.test.ts', "const g = posixOnly('stops the tree');\nprocess.kill(p, 'SIGSTOP')"),
    ).toEqual([]);
  });

  it('finds hand-made platform skips and leaves environment skips alone', () => {
    const text = [
      "const posixOnly = process.platform === 'win32' ? describe.skip : describe;",
      "(process.platform === 'linux' ? it : it.skip)('x', () => {});",
      '(posix ? it : it.skip)(',
      "if (process.platform === 'win32') return;",
      "(haveRuff ? it : it.skip)('runs ruff', () => {});",
      'const maybe = disk ? describe : describe.skip;',
      '// (posix ? it : it.skip) in a comment',
    ].join('\n');
    expect(adHocSkipLines(text)).toEqual([1, 2, 3, 4]);
  });
});
