import { describe, expect, it } from '@jest/globals';
import { PoliciesConfig, ToolsConfig } from './schema.js';

describe('config schema', () => {
  it('fills every policy default from an empty object', () => {
    const p = PoliciesConfig.parse({});
    expect(p.retry.maxAttempts).toBe(3);
    expect(p.shutdown.graceSec).toBe(10);
  });
  it('rejects an unknown key', () => {
    expect(PoliciesConfig.safeParse({ retry: { attempts: 3 } }).success).toBe(false);
    expect(ToolsConfig.safeParse({ tools: {}, extra: 1 }).success).toBe(false);
  });
});
