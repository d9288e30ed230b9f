import { describe, expect, it } from '@jest/globals';
import { MAX_SOCKET_PATH_BYTES, planSocket, rootHash } from './socket-path.js';

const base = { platform: 'linux' as NodeJS.Platform, uid: 1000, tmpdir: '/tmp', randomSuffix: 'a1b2c3' };

describe('socket path plan', () => {
  it('puts the socket in an owner-only folder under the root when the path is short enough', () => {
    const plan = planSocket({ ...base, root: '/home/u/proj' });
    expect(plan).toEqual({
      path: '/home/u/proj/.tasks/run/ipc/supervisor.sock',
      socketRoot: '/home/u/proj/.tasks/run/ipc',
    });
  });

  it('falls back to a per-user, per-root folder in the temp dir for a long root', () => {
    const root = '/home/u/' + 'very-long-folder-name/'.repeat(5);
    const plan = planSocket({ ...base, root });
    expect(plan.socketRoot).toBe(`/tmp/headless-1000-${rootHash(root)}`);
    expect(plan.path).toBe(`${plan.socketRoot}/supervisor.sock`);
    expect(Buffer.byteLength(plan.path)).toBeLessThan(MAX_SOCKET_PATH_BYTES);
  });

  it('uses a named pipe with the root hash and a random suffix on Windows', () => {
    const plan = planSocket({ ...base, platform: 'win32', root: 'C:\\Users\\me\\proj' });
    expect(plan.socketRoot).toBeNull();
    expect(plan.path).toBe(`\\\\.\\pipe\\headless-${rootHash('C:\\Users\\me\\proj')}-a1b2c3`);
  });

  it('gives different roots different hashes and the same root the same one', () => {
    expect(rootHash('/a')).not.toBe(rootHash('/b'));
    expect(rootHash('/a/')).toBe(rootHash('/a'));
    expect(rootHash('/a')).toMatch(/^[0-9a-f]{12}$/);
  });
});
