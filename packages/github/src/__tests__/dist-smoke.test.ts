import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('built @agentpr/github', () => {
  it('the built dist exports the public API and it works (nx builds before the tests)', async () => {
    expect(existsSync(DIST)).toBe(true);
    const mod = (await import(DIST)) as typeof import('../index.js');
    for (const name of ['createOctokitClient', 'resolveGitHubToken', 'requireGitHubToken', 'resolveGitHubApiUrl', 'verifyWebhookSignature', 'signWebhookPayload', 'mapWebhookEvent', 'rollUpChecks', 'decideReview']) {
      expect(typeof (mod as Record<string, unknown>)[name], name).toBe('function');
    }
    const body = '{"zen":"x"}';
    expect(await mod.verifyWebhookSignature({ secrets: ['s'], body, signature: await mod.signWebhookPayload('s', body) })).toBe(true);
    expect(mod.rollUpChecks([{ kind: 'check_run', name: 'ci', status: 'in_progress', conclusion: null }]).conclusion).toBeNull();
  });
});
