import { describe, expect, it } from 'vitest';
import { getAgentEngine } from '@agentpr/codex-runner';
import { modelEndpoints, socatBridge } from '../confinement.js';
import { tempDir, cleanupTempDirs } from '@agentpr/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

afterAll(() => cleanupTempDirs());

describe('the egress bridge and the model endpoint', () => {
  it('socatBridge listens on the proxy port and tunnels loopback model endpoints, then waits and execs the agent', () => {
    const wrapper = socatBridge('/tmp/agentpr-egress-x/proxy.sock', ['127.0.0.1:4010'], '/usr/bin/socat')!;
    expect(wrapper.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(wrapper[3]).toBe('agentpr-egress');
    const script = wrapper[2]!;
    expect(script).toContain('/usr/bin/socat TCP-LISTEN:3128,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:/tmp/agentpr-egress-x/proxy.sock &');
    expect(script).toContain('TCP-LISTEN:4010,bind=127.0.0.1,reuseaddr,fork PROXY:127.0.0.1:127.0.0.1:4010,proxyport=3128 &');
    expect(script).toContain(':0C38 00000000:0000 0A');
    expect(script).toContain(':0FAA 00000000:0000 0A');
    // Waits at most 1 s (200 polls 5 ms apart) for the listeners, then starts the agent anyway.
    expect(script).toContain('do i=$((i+1)); [ $i -gt 200 ] && break; sleep 0.005; done');
    expect(script.endsWith('exec "$@"')).toBe(true);
  });

  it('socatBridge gives way to the Node bridge without socat, for IPv6 endpoints and for odd socket paths', () => {
    expect(socatBridge('/tmp/s/proxy.sock', [], null)).toBeNull();
    expect(socatBridge('/tmp/s/proxy.sock', ['[::1]:4010'], '/usr/bin/socat')).toBeNull();
    expect(socatBridge('/tmp/s p/proxy.sock', [], '/usr/bin/socat')).toBeNull();
  });

  it('modelEndpoints allows codex\'s selected provider: a loopback one by host:port with a forward, a public one by host', () => {
    const home = tempDir('agentpr-codex-home-');
    writeFileSync(join(home, 'config.toml'), 'model_provider = "stub"\n[model_providers.stub]\nbase_url = "http://127.0.0.1:4010/v1"\n[model_providers.other]\nbase_url = "https://evil.example/v1"\n');
    const urls = getAgentEngine('codex').modelUrls({ CODEX_HOME: home, OPENAI_BASE_URL: 'https://api.example.org/v1' });
    expect(modelEndpoints(urls)).toEqual([
      { rule: '127.0.0.1:4010', forward: '127.0.0.1:4010', url: 'http://127.0.0.1:4010/v1' },
      { rule: 'api.example.org', forward: null, url: 'https://api.example.org/v1' },
    ]);
  });

  it('modelEndpoints allows Claude\'s ANTHROPIC_BASE_URL (the stub on loopback, forwarded into the sandbox) and skips what does not parse', () => {
    const urls = getAgentEngine('claude').modelUrls({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011' });
    expect(modelEndpoints(urls)).toEqual([{ rule: '127.0.0.1:4011', forward: '127.0.0.1:4011', url: 'http://127.0.0.1:4011' }]);
    expect(modelEndpoints(['not a url', 'https://api.anthropic.com'])).toEqual([{ rule: 'api.anthropic.com', forward: null, url: 'https://api.anthropic.com' }]);
  });
});
