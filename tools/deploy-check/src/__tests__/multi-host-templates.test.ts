import { describe, expect, it } from 'vitest';
import { parseUnitFile } from '../index.js';
import { deployFiles, MULTI_HOST, multiHostUnitFiles, readDeploy } from './helpers.js';

/** A config without its comment lines and blank lines: what nginx reads. */
const directives = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .join('\n');

/** The `upstream NAME { … }` block of an nginx site. */
const upstreamBlock = (text: string) => /upstream agentpr_webhook \{[^}]*\}/.exec(text)?.[0] ?? '';

const HOST_ID = /^[A-Za-z0-9._-]{1,64}$/;

describe('multi-host: environment files', () => {
  it('host.env sets exactly the host id and the shared PostgreSQL, both placeholders', () => {
    const lines = readDeploy(`${MULTI_HOST}/env/host.env.example`)
      .split('\n')
      .filter((l) => /^[A-Z]/.test(l));
    expect(lines.map((l) => l.split('=')[0])).toEqual(['AGENTPR_HOST_ID', 'AGENTPR_DATABASE_URL']);
    const env = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.AGENTPR_HOST_ID).toBe('CHANGE_ME');
    // The placeholder is itself a valid id: a forgotten edit is caught by review, not by a refusing process.
    expect(env.AGENTPR_HOST_ID).toMatch(HOST_ID);
    expect(new URL(env.AGENTPR_DATABASE_URL!).protocol).toBe('postgres:');
    expect(new URL(env.AGENTPR_DATABASE_URL!).password).toBe('CHANGE_ME');
  });

  it('every EnvironmentFile= of a multi-host unit has an example (host.env here, the service files one level up)', () => {
    const files = new Set(deployFiles());
    for (const unit of multiHostUnitFiles()) {
      for (const envFile of parseUnitFile(readDeploy(`${MULTI_HOST}/systemd/${unit}`)).values('Service', 'EnvironmentFile')) {
        const name = envFile.split('/').pop()!;
        const example = name === 'host.env' ? `${MULTI_HOST}/env/host.env.example` : `env/${name}.example`;
        expect(files.has(example), `${unit}: ${envFile} has no ${example}`).toBe(true);
      }
    }
  });

  it('the service environment examples leave the host id to host.env, which every unit reads last', () => {
    for (const file of deployFiles().filter((f) => f.startsWith('env/'))) {
      expect(readDeploy(file), file).not.toMatch(/^AGENTPR_HOST_ID=/m);
    }
  });
});

describe('multi-host: the nginx upstream site', () => {
  const site = readDeploy(`${MULTI_HOST}/nginx/agentpr-webhook-upstream.conf`);
  const single = readDeploy('nginx/agentpr-webhook.conf');

  it('is the single-host webhook site but for the upstream block and the proxy_next_upstream lines', () => {
    const strip = (text: string) => directives(text.replace(upstreamBlock(text), 'UPSTREAM')).replace(/^\s*proxy_next_upstream.*\n?/gm, '');
    expect(strip(site)).toBe(strip(single));
  });

  it('balances over two local webhook processes, dropping a failed one for a while, with keepalive', () => {
    const servers = [...directives(upstreamBlock(site)).matchAll(/^\s*server (\S+)(.*);$/gm)].map((m) => [m[1], m[2]!.trim()]);
    expect(servers).toEqual([
      ['127.0.0.1:8787', 'max_fails=1 fail_timeout=10s'],
      ['127.0.0.1:8788', 'max_fails=1 fail_timeout=10s'],
    ]);
    expect(upstreamBlock(site)).toMatch(/keepalive \d+;/);
  });

  it('passes a POST on to the next process only for errors, timeouts and 503, within two tries', () => {
    const webhook = /location = \/github\/webhook \{([\s\S]*?)\n {4}\}/.exec(site)?.[1] ?? '';
    expect(webhook).toMatch(/^\s+proxy_next_upstream error timeout http_503 non_idempotent;$/m);
    expect(webhook).toMatch(/^\s+proxy_next_upstream_tries 2;$/m);
    const healthz = /location = \/healthz \{([\s\S]*?)\n {4}\}/.exec(site)?.[1] ?? '';
    expect(healthz).toMatch(/^\s+proxy_next_upstream error timeout http_503;$/m);
  });
});

describe('multi-host: README', () => {
  const readme = readDeploy(`${MULTI_HOST}/README.md`);

  it('documents every file under deploy/multi-host/', () => {
    const files = deployFiles().filter((f) => f.startsWith(`${MULTI_HOST}/`) && f !== `${MULTI_HOST}/README.md`);
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files.filter((f) => !readme.includes(f.slice(MULTI_HOST.length + 1)))).toEqual([]);
  });

  it('says what each host needs, how a run moves, the bot singleton and what stays host-local', () => {
    const text = readme.replace(/\s+/g, ' ');
    for (const needle of [
      'AGENTPR_HOST_ID',
      'AGENTPR_DATABASE_URL',
      'never a shared network file system',
      'bubblewrap',
      'socat',
      'rebuilds',
      'last pushed head',
      'base commit',
      'recorded as lost',
      'telegram-poller',
      '--poller-lease-sec',
      'non_idempotent',
      'What is still host-local',
      'task packets',
      'PR request files',
    ]) {
      expect(text, needle).toContain(needle);
    }
  });
});
