import { describe, expect, it } from '@jest/globals';
import os from 'node:os';
import path from 'node:path';
import { judgeDisk, parseMounts, readFreeSpace, volumeOf } from './disk-guard.js';

const MB = 1024 * 1024;

describe('judgeDisk', () => {
  it('pauses below the limit with a reason that names the volume and both numbers', () => {
    expect(judgeDisk({ freeBytes: 312 * MB + 5, minFreeMb: 500, volume: '/home' })).toEqual({
      ok: false,
      freeMb: 312,
      reason: 'low disk: 312 MB free on /home, need 500 (policies.disk.minFreeMb)',
    });
  });
  it('lets claims go at or above the limit, and always when the guard is off', () => {
    expect(judgeDisk({ freeBytes: 500 * MB, minFreeMb: 500, volume: '/' }).ok).toBe(true);
    expect(judgeDisk({ freeBytes: 0, minFreeMb: 0, volume: '/' }).ok).toBe(true);
  });
});

describe('volumeOf', () => {
  it('takes the longest mount point that holds the path', () => {
    const mounts = ['/', '/home', '/home/ann/data', '/homework'];
    expect(volumeOf('/home/ann/repo', mounts)).toBe('/home');
    expect(volumeOf('/home/ann/data/x', mounts)).toBe('/home/ann/data');
    expect(volumeOf('/homework/x', mounts)).toBe('/homework');
    expect(volumeOf('/var/x', mounts)).toBe('/');
  });
  it('falls back to the drive on Windows', () => {
    expect(volumeOf('C:\\Users\\ann\\headless', [], path.win32)).toBe('C:\\');
  });
  it('reads /proc/self/mounts lines, decoding escaped spaces', () => {
    expect(parseMounts('tmpfs /run tmpfs rw 0 0\n/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n')).toEqual([
      '/run',
      '/mnt/my disk',
    ]);
  });
});

describe('readFreeSpace', () => {
  it('reads a real volume', async () => {
    const r = await readFreeSpace(os.tmpdir());
    expect(r.freeBytes).toBeGreaterThan(0);
    expect(path.isAbsolute(r.volume)).toBe(true);
  });
});
