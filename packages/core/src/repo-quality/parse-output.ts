import { eslintFailures, nodeTestFailures, tscFailures } from './parse-js.js';
import { pesterConsoleFailures, pesterNunitFailures } from './parse-pester.js';
import {
  pytestJunitFailures,
  pytestSummaryFailures,
  ruffCheckFailures,
  ruffFormatFailures,
} from './parse-python.js';
import type { ParserName } from './types.js';

/**
 * The failures a step names, by its parser. `resultText` is the machine-readable file the step
 * wrote (junit for pytest, NUnit XML for Pester), when there is one. Pure.
 */
export function stepFailures(parser: ParserName, output: string, resultText?: string): string[] {
  switch (parser) {
    case 'ruff-check':
      return ruffCheckFailures(output);
    case 'ruff-format':
      return ruffFormatFailures(output);
    case 'pytest': {
      // The summary has the file path; junit the same ids when the summary was turned off (-rN).
      const summary = pytestSummaryFailures(output);
      return summary.length > 0 || resultText === undefined ? summary : pytestJunitFailures(resultText);
    }
    case 'pester': {
      const xml = resultText === undefined ? [] : pesterNunitFailures(resultText);
      const console = pesterConsoleFailures(output);
      // Files that did not load have no test-case in the XML: keep those console lines too.
      return xml.length > 0 ? [...xml, ...console.filter((c) => c.endsWith(': failed to load'))] : console;
    }
    case 'eslint':
      return eslintFailures(output);
    case 'tsc':
      return tscFailures(output);
    case 'node-test':
      return nodeTestFailures(output);
    case 'none':
      return [];
  }
}
