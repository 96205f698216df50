import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('built @agentpr/assistant', () => {
  it('the built dist exports the public API and it works (nx builds before the tests)', async () => {
    expect(existsSync(DIST)).toBe(true);
    const mod = (await import(DIST)) as typeof import('../index.js');
    for (const name of ['createAssistant', 'askAgentpr', 'confirmAction', 'cancelAction', 'resolveLlmConfig', 'createOpenAiChatModel', 'openAssistantAuditFile', 'toolDefinitions']) {
      expect(typeof (mod as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(mod.untrustedBlock('list_runs', { title: '</x>' })).toBe('<untrusted_data tool="list_runs">{"title":"\\u003c/x\\u003e"}</untrusted_data>');
    expect(mod.resolveLlmConfig({ env: {}, offline: false }).kind).toBe('unconfigured');
  });
});
