import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { wakesLoop } from './wake-events.js';

const stop = path.join('/repo', 'STOP.HEADLESS');

describe('wakesLoop', () => {
  it('wakes for an inbox task file, not for a writer temp file or another name', () => {
    expect(wakesLoop('inbox', 'batch.jsonl', stop)).toBe(true);
    expect(wakesLoop('inbox', '.batch.jsonl.tmp', stop)).toBe(false);
    expect(wakesLoop('inbox', 'batch.jsonl.tmp', stop)).toBe(false);
    expect(wakesLoop('inbox', 'notes.txt', stop)).toBe(false);
  });

  it('wakes for the stop file in the root (any case), not for other files there', () => {
    expect(wakesLoop('root', 'STOP.HEADLESS', stop)).toBe(true);
    expect(wakesLoop('root', 'stop.headless', stop)).toBe(true);
    expect(wakesLoop('root', 'calls.jsonl', stop)).toBe(false);
    expect(wakesLoop('root', 'README.md', stop)).toBe(false);
  });

  it('wakes for a request, not for its temp file', () => {
    expect(wakesLoop('requests', '2f0c.json', stop)).toBe(true);
    expect(wakesLoop('requests', '2f0c.json.4242.a1b2c3.tmp', stop)).toBe(false);
  });

  it('wakes when the event has no name (Windows, an overflow)', () => {
    expect(wakesLoop('inbox', null, stop)).toBe(true);
    expect(wakesLoop('root', undefined, stop)).toBe(true);
    expect(wakesLoop('requests', '', stop)).toBe(true);
  });
});
