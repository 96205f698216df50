import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './fixtures.js';

describe('@agentpr/egress-proxy dist', () => {
  it('the built dist exports the proxy API, decides egress, and finds its own bridge script', async () => {
    const dist = (await import(join(packageRoot, 'dist', 'index.js'))) as typeof import('../index.js');
    expect(dist.decideEgress({ host: 'registry.npmjs.org', port: 443, addresses: ['10.0.0.1'] }, ['registry.npmjs.org'])).toMatchObject({ allowed: false, reason: 'private_address' });
    expect(typeof dist.startEgressProxy).toBe('function');
    expect(dist.bridgeScriptPath()).toBe(join(packageRoot, 'dist', 'bridge.js'));
    expect(existsSync(dist.bridgeScriptPath())).toBe(true);
  });
});
