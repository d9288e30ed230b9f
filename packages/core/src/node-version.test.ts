import { describe, expect, it } from '@jest/globals';
import { MIN_NODE_VERSION, nodeVersionProblem } from './node-version.js';

describe('nodeVersionProblem', () => {
  it('names the node, its version, the minimum and what to do', () => {
    const msg = nodeVersionProblem('20.20.2', '/usr/bin/node');
    expect(msg).toContain('/usr/bin/node is 20.20.2');
    expect(msg).toContain(`Node.js ${MIN_NODE_VERSION} or newer`);
    expect(msg).toMatch(/headless service install/);
  });

  it('says nothing for a supported node, this one included', () => {
    expect(nodeVersionProblem('22.13.0', 'node')).toBeUndefined();
    expect(nodeVersionProblem('22.12.9', 'node')).toBeDefined();
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
