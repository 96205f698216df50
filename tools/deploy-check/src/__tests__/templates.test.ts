import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseUnitFile, splitCommandLine } from '../index.js';
import { deployFiles, readDeploy, unitFiles } from './helpers.js';

/** Values that look like real credentials: GitHub tokens, OpenAI keys, Telegram bot tokens, PEM keys. */
const REAL_SECRET = /gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,}|\b\d{6,}:[A-Za-z0-9_-]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const SECRET_NAME = /TOKEN|SECRET|API_KEY|PASSWORD/;

function envAssignments(text: string): Array<{ key: string; value: string; commented: boolean }> {
  return text
    .split('\n')
    .map((line) => /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[2]!, value: m[3]!, commented: m[1] === '#' }));
}

describe('deploy templates: secrets and environment files', () => {
  it('no file under deploy/ contains something that looks like a real credential', () => {
    const leaks = deployFiles().filter((f) => REAL_SECRET.test(readDeploy(f)));
    expect(leaks).toEqual([]);
  });

  it('every EnvironmentFile= of a unit has an example in deploy/env/', () => {
    const files = new Set(deployFiles());
    for (const unit of unitFiles()) {
      for (const envFile of parseUnitFile(readDeploy(`systemd/${unit}`)).values('Service', 'EnvironmentFile')) {
        const example = `env/${envFile.replace(/^-/, '').split('/').pop()}.example`;
        expect(files.has(example), `${unit}: ${envFile} has no ${example}`).toBe(true);
      }
    }
  });

  it('every ${VAR} a unit passes on its command line is set in its environment file example', () => {
    for (const unit of unitFiles()) {
      const u = parseUnitFile(readDeploy(`systemd/${unit}`));
      const used = [...u.values('Service', 'ExecStart').join(' ').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
      const set = new Set(
        u.values('Service', 'EnvironmentFile').flatMap((f) => envAssignments(readDeploy(`env/${f.split('/').pop()}.example`)).filter((a) => !a.commented).map((a) => a.key)),
      );
      for (const v of used) expect(set.has(v), `${unit} uses \${${v}} but its environment file example does not set it`).toBe(true);
    }
  });

  it('secrets in the environment file examples are CHANGE_ME placeholders', () => {
    const examples = deployFiles().filter((f) => /^(multi-host\/)?env\//.test(f));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const file of examples) {
      for (const a of envAssignments(readDeploy(file))) {
        if (SECRET_NAME.test(a.key)) expect(a.value, `${file}: ${a.key}`).toMatch(/CHANGE_ME/);
      }
    }
  });
});

describe('deploy templates: one webhook address everywhere', () => {
  it('nginx proxies only /github/webhook and /healthz to 127.0.0.1:8787 with the 1 MiB body limit', () => {
    const site = readDeploy('nginx/agentpr-webhook.conf');
    expect(site).toMatch(/server 127\.0\.0\.1:8787;/);
    expect(site).toMatch(/client_max_body_size\s+1m;/);
    expect(site).toMatch(/keepalive_timeout\s+30s;/);
    expect(site).toMatch(/listen 443 ssl http2;/);
    expect([...site.matchAll(/location\s+(\S+(?:\s+\S+)?)\s*\{/g)].map((m) => m[1])).toEqual([
      '^~ /.well-known/acme-challenge/',
      '/',
      '@too_many_requests', // named: only error_page 429 reaches it
      '= /github/webhook',
      '= /healthz',
      '/',
    ]);
    expect(site).toMatch(/^limit_conn_zone \$binary_remote_addr zone=agentpr_webhook_conn:\d+m;$/m);
    expect(site).toMatch(/^limit_req_zone\s+\$binary_remote_addr zone=agentpr_webhook_req:\d+m rate=\d+r\/s;$/m);
    expect(site).toMatch(/^\s+limit_conn\s+agentpr_webhook_conn \d+;$/m);
    expect(site).toMatch(/^\s+limit_req\s+zone=agentpr_webhook_req burst=\d+ nodelay;$/m);
    expect([...site.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1])).toEqual(['http://agentpr_webhook/github/webhook', 'http://agentpr_webhook/github/webhook']);
    for (const header of ['Host', 'X-Real-IP', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Request-Id']) expect(site).toContain(`proxy_set_header ${header} `);
  });

  it('the cloudflare tunnel forwards only the webhook path to 127.0.0.1:8787 and ends with a 404 catch-all', () => {
    const tunnel = parseYaml(readDeploy('cloudflare/agentpr-webhook-tunnel.yml')) as { tunnel: string; 'credentials-file': string; ingress: Array<Record<string, unknown>> };
    expect(tunnel.tunnel).toMatch(/CHANGE_ME/);
    expect(tunnel['credentials-file']).toMatch(/^\/.+\.json$/);
    const rules = tunnel.ingress;
    // cloudflared's own rule: the last rule must match everything (no hostname, no path).
    expect(rules.at(-1)).toEqual({ service: 'http_status:404' });
    for (const rule of rules.slice(0, -1)) {
      expect(rule.service).toBe('http://127.0.0.1:8787');
      expect(rule.hostname).toMatch(/^[A-Za-z0-9_.-]+$/);
      const path = new RegExp(String(rule.path));
      expect(['/github/webhook', '/github/webhook/', '/github/webhookx', '/admin', '/'].map((p) => path.test(p))).toEqual([true, false, false, false, false]);
    }
  });
});

describe('deploy templates: one dashboard address everywhere', () => {
  const site = readDeploy('nginx/agentpr-dashboard.conf');
  /** The body of `location <match> { … }` (locations here hold no nested blocks but limit_except). */
  const location = (match: string) => new RegExp(`location ${match.replace(/[/.]/g, '\\$&')} \\{([\\s\\S]*?)\\n    \\}`).exec(site)?.[1] ?? '';

  it('nginx proxies the dashboard on 127.0.0.1:8790 over TLS, with its own zones and upstream', () => {
    expect(site).toMatch(/upstream agentpr_dashboard \{\s+server 127\.0\.0\.1:8790;/);
    expect(site).toMatch(/listen 443 ssl http2;/);
    expect([...site.matchAll(/location\s+(\S+(?:\s+\S+)?)\s*\{/g)].map((m) => m[1])).toEqual([
      '^~ /.well-known/acme-challenge/',
      '/',
      '= /live',
      '= /login',
      '= /logout',
      '/',
    ]);
    expect([...site.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1])).toEqual(Array(4).fill('http://agentpr_dashboard'));
    // Zone names differ from the webhook site's, so both sites load into one nginx.
    expect([...site.matchAll(/zone=(\S+?):/g)].map((m) => m[1])).toEqual(['agentpr_dashboard_conn', 'agentpr_dashboard_login']);
    for (const header of ['Host $http_host', 'X-Real-IP', 'X-Forwarded-For', 'X-Forwarded-Proto $scheme', 'X-Request-Id']) expect(site).toContain(`proxy_set_header ${header}`);
  });

  it('nginx passes /live unbuffered and keeps it open past the 15 s heartbeat; only /login and /logout take a POST', () => {
    const live = location('= /live');
    expect(live).toMatch(/proxy_buffering off;/);
    expect(live).toMatch(/proxy_cache off;/);
    expect(live).toMatch(/gzip off;/);
    expect(Number(/proxy_read_timeout (\d+)m;/.exec(live)?.[1])).toBeGreaterThanOrEqual(1);
    expect(live).toMatch(/limit_except GET \{/);
    expect(location('= /login')).toMatch(/limit_except GET POST \{/);
    expect(location('= /login')).toMatch(/limit_req zone=agentpr_dashboard_login burst=\d+ nodelay;/);
    expect(location('= /logout')).toMatch(/limit_except POST \{/);
    expect(site.split('location / {').at(-1)).toMatch(/limit_except GET \{/);
  });

  it('the unit binds 127.0.0.1:8790 and its environment example asks for the token', () => {
    const argv = splitCommandLine(parseUnitFile(readDeploy('systemd/agentpr-dashboard.service')).value('Service', 'ExecStart')!);
    expect(argv.slice(1, 5)).toEqual(['--host', '127.0.0.1', '--port', '8790']);
    const env = envAssignments(readDeploy('env/dashboard.env.example'));
    expect(env.filter((a) => !a.commented).map((a) => `${a.key}=${a.value}`)).toEqual(['AGENTPR_DASHBOARD_TOKEN=CHANGE_ME']);
  });
});

describe('deploy/README.md', () => {
  const readme = readDeploy('README.md');

  it('documents every file under deploy/', () => {
    const undocumented = deployFiles().filter((f) => f !== 'README.md' && !readme.includes(f));
    expect(undocumented).toEqual([]);
  });

  it('has the readiness runbook', () => {
    for (const needle of [
      'agentpr doctor --require-codex',
      '--require-webhook-secret',
      '--require-telegram-token',
      'agentpr run-preflight',
      'agentpr webhook-audit-summary',
      'agentpr webhook-probe',
      'net.',
      'gh.auth',
      'git.write',
      'AGENTPR_CODEX_BIN',
      '/github/webhook',
    ]) {
      expect(readme, needle).toContain(needle);
    }
  });
});
