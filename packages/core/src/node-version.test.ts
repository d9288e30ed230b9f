import { describe, expect, it } from '@jest/globals';
import { isOlderNode, MIN_NODE_VERSION, nodeVersionProblem } from './node-version.js';

describe('isOlderNode', () => {
  it('compares major, minor and patch as numbers', () => {
    expect(isOlderNode('20.20.2')).toBe(true);
    expect(isOlderNode('v22.12.9')).toBe(true);
    expect(isOlderNode('22.13.0')).toBe(false);
    expect(isOlderNode('22.13.1')).toBe(false);
    expect(isOlderNode('24.1.0')).toBe(false);
    // 9 < 13 as numbers, not as text
    expect(isOlderNode('22.9.0')).toBe(true);
    expect(isOlderNode('100.0.0')).toBe(false);
  });

  it('reads pre-release versions by their numbers', () => {
    expect(isOlderNode('23.0.0-nightly20241010')).toBe(false);
    expect(isOlderNode('22.0.0-rc.1')).toBe(true);
  });
});

describe('nodeVersionProblem', () => {
  it('names the node, its version, the minimum and what to do', () => {
    const msg = nodeVersionProblem('20.20.2', '/usr/bin/node');
    expect(msg).toContain('/usr/bin/node is 20.20.2');
    expect(msg).toContain(`Node.js ${MIN_NODE_VERSION} or newer`);
    expect(msg).toMatch(/headless service install/);
  });

  it('says nothing for a supported node, this one included', () => {
    expect(nodeVersionProblem('22.13.0', 'node')).toBeUndefined();
    expect(nodeVersionProblem(process.versions.node, process.execPath)).toBeUndefined();
  });

  it('matches the engines field of package.json', async () => {
    const fs = await import('node:fs/promises');
    const pkg = JSON.parse(await fs.readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_VERSION.replace(/\.0$/, '')}`);
  });
});
