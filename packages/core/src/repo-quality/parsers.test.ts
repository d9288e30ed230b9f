import { describe, expect, it } from '@jest/globals';
import { stepFailures } from './parse-output.js';

// Output captured from ruff 0.16.9, pytest 9.0.3 and ESLint 10; Pester from its Output.ps1 and
// TestResults.NUnit25.ps1 (5.x).

describe('ruff', () => {
  it('reads `ruff check --output-format concise` as file:line:col code message', () => {
    const out =
      'calc.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.\n[*] 1 fixable with the `--fix` option.';
    expect(stepFailures('ruff-check', out)).toEqual(['calc.py:1:8 F401 `os` imported but unused']);
  });

  it('reads the full format too (a repo that sets output-format)', () => {
    const out = [
      'F401 [*] `os` imported but unused',
      ' --> pkg\\calc.py:1:8',
      '  |',
      '1 | import os',
      'Found 1 error.',
    ].join('\n');
    expect(stepFailures('ruff-check', out)).toEqual(['pkg/calc.py:1:8 F401 `os` imported but unused']);
  });

  it('names the files `ruff format --check` would reformat, old and new wording', () => {
    const newer =
      'unformatted: File would be reformatted\n --> messy.py:1:6\n  |\n1 file would be reformatted';
    const older = 'Would reformat: src/old.py\n1 file would be reformatted';
    expect(stepFailures('ruff-format', newer)).toEqual(['messy.py: would be reformatted (ruff format)']);
    expect(stepFailures('ruff-format', older)).toEqual(['src/old.py: would be reformatted (ruff format)']);
  });
});

describe('pytest', () => {
  it('reads the failed and errored ids from the short test summary', () => {
    const out = [
      '=========================== short test summary info ============================',
      'FAILED tests/test_calc.py::test_bad - assert 2 == 3',
      'ERROR tests/test_db.py - ModuleNotFoundError: No module named x',
      '========================= 1 failed, 1 passed in 1.78s ==========================',
    ].join('\n');
    expect(stepFailures('pytest', out)).toEqual([
      'tests/test_calc.py::test_bad - assert 2 == 3',
      'tests/test_db.py - ModuleNotFoundError: No module named x',
    ]);
  });

  it('falls back to --junitxml when the summary is turned off', () => {
    const xml =
      '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2">' +
      '<testcase classname="tests.test_calc" name="test_ok" time="0.000" />' +
      '<testcase classname="tests.test_calc" name="test_bad" time="0.001"><failure message="assert 2 == 3&#10; +  where 2 = add(1, 1)">def test_bad():</failure></testcase>' +
      '</testsuite></testsuites>';
    expect(stepFailures('pytest', '1 failed, 1 passed in 0.05s', xml)).toEqual([
      'tests.test_calc::test_bad - assert 2 == 3',
    ]);
  });
});

describe('Pester 5', () => {
  const nunit =
    '<test-results name="Pester" total="2" failures="1"><test-suite type="TestFixture" name="Pester"><results>' +
    '<test-case description="says hello" name="AutomationSuite.Get-Greeting.says hello" time="0.01" asserts="0" success="True" result="Success" executed="True" />' +
    '<test-case description="adds &amp; rounds" name="AutomationSuite.Add-Numbers.adds &amp; rounds" time="0.02" asserts="0" success="False" result="Failure" executed="True"><failure><message>Expected 3, but got 2.</message><stack-trace>at x</stack-trace></failure></test-case>' +
    '</results></test-suite></test-results>';

  it('names the failed tests from the NUnit XML, with the first message line', () => {
    expect(stepFailures('pester', '', nunit)).toEqual([
      'AutomationSuite.Add-Numbers.adds & rounds - Expected 3, but got 2.',
    ]);
  });

  it('reads the console at Normal and Detailed verbosity when there is no XML', () => {
    const out = [
      'Running tests.',
      '[-] AutomationSuite.Add-Numbers.adds 7ms (5ms|2ms)',
      ' Expected 3, but got 2.',
      '   [-] adds in detail 1.2s (1.1s|100ms)',
      '[-] Discovery in /repo/Tests/Broken.Tests.ps1 failed with:',
      'Tests Passed: 1, Failed: 1, Skipped: 0 NotRun: 0',
    ].join('\n');
    expect(stepFailures('pester', out)).toEqual([
      'AutomationSuite.Add-Numbers.adds',
      'adds in detail',
      '/repo/Tests/Broken.Tests.ps1: failed to load',
    ]);
  });
});

describe('ESLint and tsc', () => {
  it('names each error with its file (stylish output, through npm run)', () => {
    const out = [
      '> demo@1.0.0 lint',
      '> eslint .',
      '',
      '/repo/src/a.js',
      "  3:7  error    'x' is assigned a value but never used  no-unused-vars",
      '  4:1  warning  Unexpected console statement            no-console',
      '',
      '✖ 2 problems (1 error, 1 warning)',
    ].join('\n');
    expect(stepFailures('eslint', out)).toEqual([
      "/repo/src/a.js:3:7 'x' is assigned a value but never used (no-unused-vars)",
    ]);
  });

  it('reads tsc --pretty false', () => {
    const out = "src/a.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.";
    expect(stepFailures('tsc', out)).toEqual([
      "src/a.ts:2:7 TS2322 Type 'string' is not assignable to type 'number'.",
    ]);
  });

  it("reads node --test's spec reporter: the failing-tests block, with each error's first line", () => {
    // Node 24.21, `node --test calc.test.mjs` with one failing and one passing test, not a TTY.
    const out = [
      '✖ add adds (2.645687ms)',
      '✔ ok one (0.414246ms)',
      'ℹ tests 2',
      'ℹ fail 1',
      'ℹ duration_ms 292.43837',
      '',
      '✖ failing tests:',
      '',
      'test at calc.test.mjs:4:1',
      '✖ add adds (2.645687ms)',
      '  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      '  ',
      '  -1 !== 5',
      '  ',
      '      at TestContext.<anonymous> (file:///tmp/nt/calc.test.mjs:4:31)',
    ].join('\n');
    expect(stepFailures('node-test', out)).toEqual([
      'calc.test.mjs:4:1 add adds: AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
    ]);
  });

  it("reads node --test's TAP reporter: not ok lines with their location", () => {
    const out = [
      'TAP version 13',
      '# Subtest: add adds',
      'not ok 1 - add adds',
      '  ---',
      '  duration_ms: 2.5',
      "  location: 'C:\\work\\calc.test.mjs:4:1'",
      "  failureType: 'testCodeFailure'",
      '  ...',
      '# Subtest: ok one',
      'ok 2 - ok one',
      '1..2',
    ].join('\n');
    expect(stepFailures('node-test', out)).toEqual(['C:/work/calc.test.mjs:4:1 add adds']);
  });

  it('has nothing to say for a step without a parser', () => {
    expect(stepFailures('none', 'FAILED everything')).toEqual([]);
  });
});
