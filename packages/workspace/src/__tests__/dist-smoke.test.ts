import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('built @agentpr/workspace', () => {
  it('the built dist exports the public API and it works (nx builds before the tests)', async () => {
    expect(existsSync(DIST)).toBe(true);
    const mod = (await import(DIST)) as typeof import('../index.js');
    for (const name of ['prepareWorkspace', 'finishWorkspace', 'diffSummary', 'workspaceIdentity', 'runtimeDoctor', 'repoPreflight', 'installSkills', 'skillsStatus', 'createGitRunner']) {
      expect(typeof (mod as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(mod.validateCommitTitle('feat: ok')).toEqual({ ok: true, title: 'feat: ok' });
    expect(mod.isIgnoredPath('.agentpr_runtime/x')).toBe(true);
  });
});
