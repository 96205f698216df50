import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, makeBareFork, makeUpstream, tempDir } from '@agentpr/testing';
import { findExecutable, type FetchLike } from '@agentpr/workspace';
import { AgentprError } from '../../errors.js';
import { doctorGate, runDoctor } from '../run-doctor.js';
import { SHIPPED_SKILLS } from './harness.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  cleanupTempDirs();
});

/** A loopback HTTP server answering `status` (default 404) to everything, recording the paths it was asked for. */
async function loopbackServer(status = 404): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '/');
    res.writeHead(status);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function binWith(names: string[]): Promise<string> {
  const dir = tempDir('agentpr-bin-');
  for (const name of names) symlinkSync((await findExecutable(name, process.env))!, join(dir, name));
  return dir;
}

function baseContext(env: Record<string, string>, policy?: unknown) {
  const dir = tempDir('agentpr-offline-');
  const policyFile = policy === undefined ? '' : join(dir, 'policy.json');
  if (policy !== undefined) writeFileSync(policyFile, JSON.stringify(policy));
  return { env, paths: { dataDir: dir, reportsDir: join(dir, 'reports'), workspaceRoot: join(dir, 'ws'), campaignDir: dir, skillsDir: SHIPPED_SKILLS, policyFile, runtimeEnvFile: '' } };
}

/** A fetch that records every URL and refuses anything but loopback, as a machine without internet would. */
function offlineFetch(asked: string[]): FetchLike {
  return async (url, init) => {
    asked.push(url);
    if (!/^http:\/\/127\./.test(url)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    return fetch(url, init);
  };
}

describe('doctorGate in offline mode', () => {
  it('with a local upstream and fork and a loopback GITHUB_API_URL passes without github.com or GitHub auth, checking the API URL and the remotes', async () => {
    const api = await loopbackServer();
    const upstream = await makeUpstream();
    const fork = await makeBareFork(upstream);
    const asked: string[] = [];
    // No GITHUB_TOKEN, no gh: online this gate would fail on gh.auth and on github.com.
    const ctx = baseContext({ PATH: await binWith(['git']), GITHUB_API_URL: api.url });
    const report = await doctorGate(ctx, 'github', { upstreamUrl: upstream.url, forkUrl: pathToFileURL(fork.url).href, fetch: offlineFetch(asked) });
    expect(report.ok).toBe(true);
    expect(report.offline_mode).toMatchObject({ offline: true, source: 'auto' });
    expect(report.checks.map((c) => c.name)).toEqual(['workspace.write', 'cmd.git', `remote.${upstream.url}`, `remote.${pathToFileURL(fork.url).href}`, `net.${api.url}/`]);
    expect(asked).toEqual([`${api.url}/`]);
    expect(api.seen).toEqual(['/']);
    expect(report.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^net\.https:\/\/github\.com\/: offline mode/), expect.stringMatching(/^gh\.auth: offline mode/)]));
  });

  it('AGENTPR_OFFLINE=1 turns it on without a GitHub API URL; a missing or non-git remote fails by name', async () => {
    const notRepo = tempDir('agentpr-not-repo-');
    mkdirSync(join(notRepo, 'sub'));
    const ctx = baseContext({ PATH: await binWith(['git']), AGENTPR_OFFLINE: '1' });
    const error = await doctorGate(ctx, 'github', { upstreamUrl: join(notRepo, 'missing.git'), forkUrl: join(notRepo, 'sub') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentprError);
    expect((error as AgentprError).details.failures).toEqual([
      `remote.${join(notRepo, 'missing.git')}: ${join(notRepo, 'missing.git')} does not exist`,
      `remote.${join(notRepo, 'sub')}: ${join(notRepo, 'sub')} is not a git repository`,
    ]);
    const { report } = await runDoctor(ctx, {});
    expect(report.offline_mode).toMatchObject({ offline: true, source: 'env' });
    expect(report.checks.some((c) => c.name.startsWith('net.'))).toBe(false);
    expect(report.skipped).toContain('net.<GitHub API>: offline mode and no GITHUB_API_URL is set, so GitHub is not used');
  });

  it('the policy switch and --offline turn it on; a network remote then fails the gate', async () => {
    const ctx = baseContext({ PATH: await binWith(['git']) }, { offline: true });
    const { report } = await runDoctor(ctx, {});
    expect(report.offline_mode).toMatchObject({ offline: true, source: 'policy' });
    const error = await doctorGate(baseContext({ PATH: await binWith(['git']) }), 'github', { offline: true, forkUrl: 'https://github.com/me/fork.git' }).catch((e: unknown) => e);
    expect((error as AgentprError).details.failures).toEqual(['remote.https://github.com/me/fork.git: not a local path or file:// URL']);
  });

  it('a manager remote template decides the mode but is not checked as a path', async () => {
    const api = await loopbackServer();
    const ctx = baseContext({ PATH: await binWith(['git']), GITHUB_API_URL: api.url });
    const report = await doctorGate(ctx, 'github', { upstreamUrl: '/srv/upstream/{owner}/{repo}.git', forkUrl: '/srv/fork/{fork_owner}/{repo}.git' });
    expect(report.offline_mode).toMatchObject({ offline: true, source: 'auto' });
    expect(report.checks.some((c) => c.name.startsWith('remote.'))).toBe(false);
  });

  it('a failing network check names the switch and --skip-doctor, online and offline', async () => {
    const asked: string[] = [];
    const online = await runDoctor(baseContext({ PATH: await binWith(['git']), GITHUB_TOKEN: 'x' }), { fetch: offlineFetch(asked), networkTimeoutSec: 1 });
    expect(online.kind).toBe('not_ready');
    expect(online.report.failures[0]).toMatch(/^net\.https:\/\/github\.com\/: /);
    expect(online.report.warnings.join('\n')).toMatch(/--offline, AGENTPR_OFFLINE=1 or "offline": true in the policy file; --skip-doctor skips/);
    // Offline with a GitHub API URL nobody listens on: the hint says what to start.
    const down = baseContext({ PATH: await binWith(['git']), GITHUB_API_URL: 'http://127.0.0.1:1' });
    const error = await doctorGate(down, 'github', { networkTimeoutSec: 1 }).catch((e: unknown) => e);
    expect((error as AgentprError).message).toMatch(/failed: net\.http:\/\/127\.0\.0\.1:1\/: .*Offline mode is on .*agentpr dev-stack.*--skip-doctor/);
  });

  it('the bot gate probes the Telegram API URL it will use and the GitHub API, never the github.com web site', async () => {
    const telegram = await loopbackServer();
    const asked: string[] = [];
    const env = { PATH: await binWith(['git']), GITHUB_TOKEN: 'x', AGENTPR_TELEGRAM_BOT_TOKEN: 't', AGENTPR_TELEGRAM_API_URL: telegram.url };
    const error = await doctorGate(baseContext(env), 'telegram', { fetch: offlineFetch(asked), networkTimeoutSec: 1 }).catch((e: unknown) => e);
    expect(asked).toEqual([`${telegram.url}/`, 'https://api.github.com/']);
    expect((error as AgentprError).details.failures).toEqual([expect.stringMatching(/^net\.https:\/\/api\.github\.com\/: /)]);
    // Offline (a loopback GitHub API): the Telegram API and the stand-in only.
    const api = await loopbackServer();
    const report = await doctorGate(baseContext({ ...env, GITHUB_API_URL: api.url }), 'telegram', { fetch: offlineFetch(asked) });
    expect(report.checks.filter((c) => c.name.startsWith('net.')).map((c) => c.name)).toEqual([`net.${telegram.url}/`, `net.${api.url}/`]);
  });

  it('offline, a stand-in answering its root with a 5xx is reachable, and the bot gate probes the --telegram-api-url it was given', async () => {
    const telegram = await loopbackServer(500);
    const api = await loopbackServer(500);
    const asked: string[] = [];
    const env = { PATH: await binWith(['git']), AGENTPR_TELEGRAM_BOT_TOKEN: 't', AGENTPR_TELEGRAM_API_URL: 'http://127.0.0.1:1', GITHUB_API_URL: api.url };
    const report = await doctorGate(baseContext(env), 'telegram', { fetch: offlineFetch(asked), telegramApiUrl: telegram.url });
    expect(asked).toEqual([`${telegram.url}/`, `${api.url}/`]);
    expect(report.checks.filter((c) => c.name.startsWith('net.'))).toEqual([
      { name: `net.${telegram.url}/`, ok: true, detail: 'HTTP 500' },
      { name: `net.${api.url}/`, ok: true, detail: 'HTTP 500' },
    ]);
  });
});
