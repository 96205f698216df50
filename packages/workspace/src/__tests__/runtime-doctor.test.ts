import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, makeImmutable, tempDir } from '@agentpr/testing';
import { findExecutable, runtimeDoctor } from '../index.js';
import { refusedUrl, startServer, type LocalServer } from './http-fixtures.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

async function server(status: number | 'hang'): Promise<string> {
  const s = await startServer(status);
  servers.push(s);
  return s.url;
}

/** A PATH directory holding only the named tools: real ones linked, fake ones as scripts. */
async function binDir(tools: { real?: string[]; scripts?: Record<string, string> }): Promise<string> {
  const dir = tempDir('agentpr-bin-');
  for (const name of tools.real ?? []) {
    const found = await findExecutable(name, process.env);
    if (!found) throw new Error(`${name} is not installed on this machine`);
    symlinkSync(found, join(dir, name));
  }
  for (const [name, body] of Object.entries(tools.scripts ?? {})) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const offline = { checkNetwork: false } as const;

describe('runtimeDoctor', () => {
  it('runtimeDoctor on a machine without git fails cmd.git with "Not found in PATH" and lists it in failures', async () => {
    const root = tempDir();
    const report = await runtimeDoctor({ workspaceRoot: root, env: { PATH: await binDir({}), GITHUB_TOKEN: 't' }, ...offline });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.name)).toEqual(['workspace.write', 'cmd.git', 'gh.auth']);
    expect(report.failures).toEqual(['cmd.git: Not found in PATH']);
    expect(report.context).toEqual({
      workspace_root: root,
      check_network: false,
      network_timeout_sec: 5,
      require_gh_auth: true,
      require_codex: false,
      require_telegram_token: false,
      require_webhook_secret: false,
    });
    expect(report.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('runtimeDoctor with git on PATH passes cmd.git with its resolved path and leaves no probe file behind', async () => {
    const root = tempDir();
    const bin = await binDir({ real: ['git'] });
    const report = await runtimeDoctor({ workspaceRoot: root, env: { PATH: bin }, requireGhAuth: false, ...offline });
    expect(report).toMatchObject({ ok: true, failures: [], warnings: [] });
    expect(report.checks).toEqual([
      { name: 'workspace.write', ok: true, detail: root },
      { name: 'cmd.git', ok: true, detail: join(bin, 'git') },
    ]);
    expect(await readdir(root)).toEqual([]);
  });

  it('runtimeDoctor for a basic profile (no git, no auth, no network) passes on a machine with no tools at all', async () => {
    const report = await runtimeDoctor({ workspaceRoot: tempDir(), env: { PATH: '' }, requireGit: false, requireGhAuth: false, ...offline });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['workspace.write']);
  });

  it('runtimeDoctor accepts a GITHUB_TOKEN without gh installed and never shows the token', async () => {
    const report = await runtimeDoctor({ workspaceRoot: tempDir(), env: { PATH: await binDir({ real: ['git'] }), GITHUB_TOKEN: 'ghp_supersecretvalue123' }, ...offline });
    expect(report.checks.find((c) => c.name === 'gh.auth')).toEqual({ name: 'gh.auth', ok: true, detail: 'token in GITHUB_TOKEN' });
    expect(JSON.stringify(report)).not.toContain('supersecret');
  });

  it('runtimeDoctor without a token and without gh fails gh.auth and says how to fix it', async () => {
    const report = await runtimeDoctor({ workspaceRoot: tempDir(), env: { PATH: await binDir({ real: ['git'] }) }, ...offline });
    expect(report.failures).toEqual(['gh.auth: neither GH_TOKEN nor GITHUB_TOKEN is set and gh is not on PATH; set GITHUB_TOKEN or install gh and run `gh auth login`']);
  });

  it('runtimeDoctor falls back to `gh auth status` and reports its first three stderr lines on failure', async () => {
    const bin = await binDir({ real: ['git'], scripts: { gh: 'echo "" >&2; echo "github.com" >&2; echo "  X Failed to log in" >&2; echo "  token: ghp_abcdefghijkl" >&2; echo "more" >&2; exit 1' } });
    const report = await runtimeDoctor({ workspaceRoot: tempDir(), env: { PATH: bin }, ...offline });
    expect(report.failures).toEqual(['gh.auth: github.com | X Failed to log in | token: ghp_***']);
  });

  it('runtimeDoctor passes gh.auth when `gh auth status` exits 0', async () => {
    const bin = await binDir({ real: ['git'], scripts: { gh: 'test "$1 $2" = "auth status" || exit 9; exit 0' } });
    const report = await runtimeDoctor({ workspaceRoot: tempDir(), env: { PATH: bin }, ...offline });
    expect(report.checks.find((c) => c.name === 'gh.auth')).toEqual({ name: 'gh.auth', ok: true, detail: 'authenticated' });
  });

  it('runtimeDoctor fails workspace.write when the root is a file, naming the root', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const report = await runtimeDoctor({ workspaceRoot: file, env: { PATH: '' }, requireGit: false, requireGhAuth: false, ...offline });
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatch(new RegExp(`^workspace\\.write: ${file}: ENOTDIR: not a directory`));
  });

  it('runtimeDoctor fails workspace.write on an immutable root even as root', async (ctx) => {
    const root = tempDir();
    const locked = await makeImmutable(root);
    if (!locked.applied) ctx.skip();
    try {
      const report = await runtimeDoctor({ workspaceRoot: root, env: { PATH: '' }, requireGit: false, requireGhAuth: false, ...offline });
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]).toMatch(/^workspace\.write: .*EPERM/);
    } finally {
      await locked.restore();
    }
  });

  it('runtimeDoctor checks codex only when required, with the resolver reason on failure', async () => {
    const env = { PATH: await binDir({}), AGENTPR_CODEX_BIN: '/nonexistent/codex' };
    const without = await runtimeDoctor({ workspaceRoot: tempDir(), env, requireGit: false, requireGhAuth: false, ...offline });
    expect(without.checks.map((c) => c.name)).not.toContain('cmd.codex');
    const withCodex = await runtimeDoctor({ workspaceRoot: tempDir(), env, requireGit: false, requireGhAuth: false, requireCodex: true, ...offline });
    expect(withCodex.failures).toEqual(['cmd.codex: AGENTPR_CODEX_BIN=/nonexistent/codex does not point to an executable file']);
    const fake = await binDir({ scripts: { codex: 'exit 0' } });
    const found = await runtimeDoctor({
      workspaceRoot: tempDir(), env: { PATH: fake }, requireGit: false, requireGhAuth: false, requireCodex: true, ...offline,
    });
    expect(found.checks.find((c) => c.name === 'cmd.codex')?.detail).toBe(`${join(fake, 'codex')} (PATH)`);
  });

  it('runtimeDoctor checks the Telegram token and webhook secret only when asked, never showing their values', async () => {
    const env = { PATH: '', AGENTPR_TELEGRAM_BOT_TOKEN: '123:secret-token', AGENTPR_GITHUB_WEBHOOK_SECRET: '  ' };
    const report = await runtimeDoctor({
      workspaceRoot: tempDir(), env, requireGit: false, requireGhAuth: false, requireTelegramToken: true, requireWebhookSecret: true, ...offline,
    });
    expect(report.checks.slice(1)).toEqual([
      { name: 'env.AGENTPR_TELEGRAM_BOT_TOKEN', ok: true, detail: 'present' },
      { name: 'env.AGENTPR_GITHUB_WEBHOOK_SECRET', ok: false, detail: 'missing' },
    ]);
    expect(JSON.stringify(report)).not.toContain('secret-token');
  });

  it('runtimeDoctor network checks pass on HTTP 404, fail on 503 and on a timeout without crashing', async () => {
    const notFound = await server(404);
    const broken = await server(503);
    const hanging = await server('hang');
    const started = Date.now();
    const report = await runtimeDoctor({
      workspaceRoot: tempDir(),
      env: { PATH: '' },
      requireGit: false,
      requireGhAuth: false,
      checkNetwork: true,
      networkTimeoutSec: 1,
      urls: { github: [notFound, broken, hanging], registries: ['http://127.0.0.1:9/'] },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.checks.slice(1)).toEqual([
      { name: `net.${notFound}`, ok: true, detail: 'HTTP 404' },
      { name: `net.${broken}`, ok: false, detail: 'HTTP 503' },
      { name: `net.${hanging}`, ok: false, detail: 'timed out after 1000 ms' },
    ]);
    expect(report.warnings).toEqual(['package-registry checks (PyPI, npm) were skipped because codex is not required for this command']);
  });

  it('runtimeDoctor with codex required also probes the registries; a refused connection is a failed check', async () => {
    const ok = await server(200);
    const refusedAt = await refusedUrl();
    const codex = await binDir({ scripts: { codex: 'exit 0' } });
    const report = await runtimeDoctor({
      workspaceRoot: tempDir(),
      env: { PATH: codex },
      requireGit: false,
      requireGhAuth: false,
      requireCodex: true,
      checkNetwork: true,
      networkTimeoutSec: 2,
      urls: { github: [ok], registries: [refusedAt] },
    });
    expect(report.warnings).toEqual([]);
    expect(report.checks.find((c) => c.name === `net.${ok}`)).toMatchObject({ ok: true, detail: 'HTTP 200' });
    const refused = report.checks.find((c) => c.name === `net.${refusedAt}`);
    expect(refused?.ok).toBe(false);
    expect(refused?.detail).toContain('ECONNREFUSED');
  });
});
