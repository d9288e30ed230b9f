import { xmlUnescape } from './parse-python.js';

/**
 * What Pester 5 says failed. Pure. From the NUnit XML it writes (TestResult.OutputFormat NUnitXml:
 * `<test-case name="Describe.It" … result="Failure">` with a `<failure><message>`), else from its
 * console output at Normal or Detailed verbosity: `[-] Describe.It name 12ms (9ms|3ms)`, and
 * `[-] Discovery in <file> failed with:` / `[-] <file> failed with:` for a file that did not load.
 * Shapes from Pester's src/functions/Output.ps1 and TestResults.NUnit25.ps1 (5.x).
 */

const unique = (list: string[]): string[] => [...new Set(list)];

export function pesterNunitFailures(xml: string): string[] {
  const out: string[] = [];
  const re = /<test-case\b([^>]*?)(\/>|>([\s\S]*?)<\/test-case>)/g;
  for (const m of xml.matchAll(re)) {
    const tag = m[1] ?? '';
    if (!/\sresult="(Failure|Error)"/.test(tag)) continue;
    const name = /\sname="([^"]*)"/.exec(tag)?.[1];
    if (name === undefined) continue;
    const message = /<message>([\s\S]*?)<\/message>/.exec(m[3] ?? '')?.[1];
    const first = message === undefined ? undefined : xmlUnescape(message).trim().split(/\r?\n/)[0];
    out.push(first ? `${xmlUnescape(name)} - ${first.slice(0, 200)}` : xmlUnescape(name));
  }
  return unique(out);
}

const TIMING = /\s+\d+(?:\.\d+)?m?s \(\d+(?:\.\d+)?m?s\|\d+(?:\.\d+)?m?s\)$/;

export function pesterConsoleFailures(output: string): string[] {
  const out: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('[-] ')) continue;
    const rest = line.slice(4);
    const container = /^(?:Discovery in )?(.+) failed with:$/.exec(rest);
    if (container?.[1]) {
      out.push(`${container[1]}: failed to load`);
      continue;
    }
    out.push(rest.replace(TIMING, ''));
  }
  return unique(out);
}
