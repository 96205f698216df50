import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getRun, latestArtifact, listAttempts, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import { findExecutable } from '@agentpr/workspace';
import { AgentprError } from '../../errors.js';
import { createRun } from '../../runs/create-run.js';
import { doctorGate, GATE_PROFILES, runDoctor } from '../run-doctor.js';
import { runPreflight } from '../run-preflight.js';
import { installSkills, skillsStatus } from '../install-skills.js';
import { prepareRun } from '../prepare-run.js';
import { SHIPPED_SKILLS, workspaceContext } from './harness.js';

const stores: OpenDatabase[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  cleanupTempDirs();
});

async function notFoundServer(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function binWith(names: string[]): Promise<string> {
  const dir = tempDir('agentpr-bin-');
  for (const name of names) symlinkSync((await findExecutable(name, process.env))!, join(dir, name));
  return dir;
}

function baseContext(env: Record<string, string>) {
  const dir = tempDir('agentpr-base-');
  return { env, paths: { dataDir: dir, reportsDir: join(dir, 'reports'), workspaceRoot: join(dir, 'ws'), campaignDir: dir, skillsDir: SHIPPED_SKILLS, policyFile: '', runtimeEnvFile: '' } };
}

async function gateError(promise: Promise<unknown>): Promise<AgentprError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentprError);
  return error as AgentprError;
}

describe('doctorGate', () => {
  it('doctorGate basic checks only the workspace root, so it passes on a machine with no tools', async () => {
    const report = await doctorGate(baseContext({ PATH: '' }), 'basic');
    expect(report.checks.map((c) => c.name)).toEqual(['workspace.write']);
  });

  it('doctorGate github on a machine without git fails naming the profile and the failures, and points to agentpr doctor', async () => {
    const url = await notFoundServer();
    const error = await gateError(doctorGate(baseContext({ PATH: '' }), 'github', { urls: { github: [url], registries: [] } }));
    expect(error.code).toBe('gate_failed');
    expect(error.message).toBe(
      'startup doctor gate (profile github) failed: cmd.git: Not found in PATH; gh.auth: neither GH_TOKEN nor GITHUB_TOKEN is set and gh is not on PATH; set GITHUB_TOKEN or install gh and run `gh auth login`. Run `agentpr doctor` for details.',
    );
    expect(error.details).toMatchObject({ profile: 'github' });
  });

  it('doctorGate github passes with git and a token, probing the network (HTTP 404 counts as reachable) and never requiring codex or python', async () => {
    const url = await notFoundServer();
    const report = await doctorGate(baseContext({ PATH: await binWith(['git']), GITHUB_TOKEN: 'x' }), 'github', { urls: { github: [url], registries: [] } });
    expect(report.checks.map((c) => c.name)).toEqual(['workspace.write', 'cmd.git', 'gh.auth', `net.${url}`]);
  });

  it('doctorGate agent requires codex, and --skip-network-check turns off its network checks', async () => {
    const error = await gateError(doctorGate(baseContext({ PATH: await binWith(['git']), GITHUB_TOKEN: 'x' }), 'agent', { skipNetwork: true }));
    expect(error.message).toMatch(/^startup doctor gate \(profile agent\) failed: cmd\.codex: .*codex/);
    // Without bubblewrap on PATH the agent gate also says agent steps cannot be confined, and how to fix it.
    expect(error.details.failures).toHaveLength(2);
    expect((error.details.failures as string[])[1]).toMatch(/^agent\.isolation: .*bwrap.*Fix: install it/);
  });

  it('doctor shows the confinement agent steps get: bubblewrap when usable, a loud warning under isolation none', async () => {
    const { report: usable } = await runDoctor(baseContext({ PATH: await binWith(['git', 'bwrap']) }), { skipNetworkCheck: true, requireGhAuth: false });
    expect(usable.agent_confinement).toMatchObject({ isolation: 'bwrap', network: 'allowlist', usable: true });
    expect(usable.agent_confinement!.detail).toMatch(/own PID namespace.*\.git read-only.*egress proxy/);
    const ctx = baseContext({ PATH: await binWith(['git']) });
    ctx.paths.policyFile = join(ctx.paths.dataDir, 'policy.json');
    writeFileSync(ctx.paths.policyFile, JSON.stringify({ run_agent_step: { isolation: 'none' } }));
    const { report: unconfined } = await runDoctor(ctx, { skipNetworkCheck: true, requireGhAuth: false, requireCodex: true });
    expect(unconfined.agent_confinement).toMatchObject({ isolation: 'none', usable: true });
    expect(unconfined.warnings.join('\n')).toMatch(/agent steps run without isolation: .*UNCONFINED/);
  });

  it.each(['manager', 'github', 'telegram'] as const)('doctorGate %s honours --skip-network-check: an offline machine passes and the report names what was skipped (issue 13)', async (profile) => {
    // Offline: nothing listens on port 1, so any probe would fail.
    const offline = { github: ['http://127.0.0.1:1/'], registries: ['http://127.0.0.1:1/registry/'] };
    const env = { PATH: await binWith(['git', 'bwrap']), GITHUB_TOKEN: 'x', AGENTPR_CODEX_BIN: await findExecutable('git', process.env) as string, AGENTPR_TELEGRAM_BOT_TOKEN: 't' };
    await expect(doctorGate(baseContext(env), profile, { urls: offline, networkTimeoutSec: 1 })).rejects.toMatchObject({ code: 'gate_failed', message: expect.stringContaining('net.http://127.0.0.1:1/') });
    const report = await doctorGate(baseContext(env), profile, { urls: offline, skipNetwork: true });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name).filter((n) => n.startsWith('net.'))).toEqual([]);
    expect(report.skipped).toContain('net.http://127.0.0.1:1/: --skip-network-check');
  });

  it('runDoctor says which checks were skipped and why (issue 13)', async () => {
    const { report } = await runDoctor(baseContext({ PATH: await binWith(['git']) }), { skipNetworkCheck: true, requireGhAuth: false, urls: { github: ['https://github.com/'], registries: ['https://registry.npmjs.org/'] } });
    expect(report.skipped).toEqual(['net.https://github.com/: --skip-network-check', 'gh.auth: --no-require-gh-auth']);
    const basic = (await doctorGate(baseContext({ PATH: '' }), 'basic')).skipped;
    expect(basic).toEqual(expect.arrayContaining(['net.https://github.com/: not needed by profile basic', 'cmd.git: not needed by profile basic', 'gh.auth: not needed by profile basic']));
    expect(basic.every((s) => s.endsWith(': not needed by profile basic'))).toBe(true);
  });

  it('doctorGate names at most three failures and counts the rest', async () => {
    const error = await gateError(doctorGate(baseContext({ PATH: '' }), 'manager', { urls: { github: ['http://127.0.0.1:1/'], registries: ['http://127.0.0.1:1/'] }, networkTimeoutSec: 1 }));
    expect(error.message).toMatch(/^startup doctor gate \(profile manager\) failed: cmd\.git: .*; cmd\.codex: .*; gh\.auth: .* \(and 3 more\)\. .*Run `agentpr doctor` for details\.$/);
    // A network check failed, so the message names the offline switch and --skip-doctor.
    expect(error.message).toContain('--offline, AGENTPR_OFFLINE=1');
    expect(error.message).toContain('--skip-doctor');
  });

  it('doctorGate webhook needs the secret unless --secret or --allow-unsigned was given', async () => {
    const error = await gateError(doctorGate(baseContext({ PATH: '' }), 'webhook'));
    expect(error.message).toContain('env.AGENTPR_GITHUB_WEBHOOK_SECRET: missing');
    await expect(doctorGate(baseContext({ PATH: '' }), 'webhook', { webhookSecretGiven: true })).resolves.toMatchObject({ ok: true });
    await expect(doctorGate(baseContext({ PATH: '', AGENTPR_GITHUB_WEBHOOK_SECRET: 's3cret' }), 'webhook')).resolves.toMatchObject({ ok: true });
  });

  it('doctorGate telegram needs the env token unless --telegram-token was given', async () => {
    const url = await notFoundServer();
    const env = { PATH: await binWith(['git']), GITHUB_TOKEN: 'x' };
    const error = await gateError(doctorGate(baseContext(env), 'telegram', { urls: { github: [url], registries: [] } }));
    expect(error.details.failures).toEqual(['env.AGENTPR_TELEGRAM_BOT_TOKEN: missing']);
    await expect(doctorGate(baseContext(env), 'telegram', { telegramTokenGiven: true, urls: { github: [url], registries: [] } })).resolves.toMatchObject({ ok: true });
  });

  it('GATE_PROFILES never requires codex outside the agent and manager profiles', () => {
    expect(Object.entries(GATE_PROFILES).filter(([, p]) => p.codex).map(([n]) => n)).toEqual(['agent', 'manager']);
  });
});

describe('runDoctor', () => {
  it('runDoctor with --network-timeout-sec below 1 is a usage error', async () => {
    const error = await gateError(runDoctor(baseContext({ PATH: '' }), { networkTimeoutSec: 0 }));
    expect(error.code).toBe('usage');
  });

  it('runDoctor probes GITHUB_API_URL instead of api.github.com when it is set', async () => {
    const url = await notFoundServer();
    const { report } = await runDoctor(baseContext({ PATH: '', GITHUB_API_URL: url.replace(/\/$/, '') }), { requireGhAuth: false, requireGit: false, networkTimeoutSec: 1 });
    expect(report.checks.map((c) => c.name)).toContain(`net.${url}`);
    expect(report.checks.find((c) => c.name === `net.${url}`)).toMatchObject({ ok: true, detail: 'HTTP 404' });
  });
});

describe('runPreflight', () => {
  it('runPreflight on a prepared run writes a new report file per call, records the attempt and artefact, and keeps the state', async () => {
    const { ctx, store } = await workspaceContext({ env: { ...testGitEnv(), PATH: await binWith(['git']) } });
    stores.push(store);
    const upstream = await makeUpstream();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url });

    const first = await runPreflight(ctx, { runId: 'run_1', skipNetworkCheck: true });
    const second = await runPreflight(ctx, { runId: 'run_1', skipNetworkCheck: true });

    expect(first).toMatchObject({ kind: 'ready', report: { ok: true } });
    expect(first.reportPath).toBe(join(ctx.paths.reportsDir, 'run_1_preflight_20260225T004707861000Z.json'));
    expect(second.reportPath).toBe(join(ctx.paths.reportsDir, 'run_1_preflight_20260225T004707861000Z-2.json'));
    expect(readdirSync(ctx.paths.reportsDir)).toHaveLength(2);
    expect(JSON.parse(readFileSync(first.reportPath, 'utf8'))).toEqual(first.report);
    const attempts = await listAttempts(ctx.db, 'run_1', { limit: 10, step: 'preflight' });
    expect(attempts.map((a) => [a.attempt_no, a.exit_code, a.stage])).toEqual([
      [2, 0, 'DISCOVERY'],
      [1, 0, 'DISCOVERY'],
    ]);
    expect(JSON.parse(attempts[1]!.stdout_log)).toEqual(first.report);
    expect(await latestArtifact(ctx.db, 'run_1', 'preflight_report')).toMatchObject({ uri: second.reportPath, metadata: { ok: true } });
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('DISCOVERY');
  });

  it('runPreflight on a run whose workspace does not exist reports the failures as attempt stderr and exits 1', async () => {
    const { ctx, store } = await workspaceContext({ env: { PATH: await binWith(['git']) } });
    stores.push(store);
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    const { report } = await runPreflight(ctx, { runId: 'run_1', skipNetworkCheck: true, codexSandbox: 'read-only' });
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.split(':')[0])).toEqual(['repo.exists', 'repo.scope', 'git.dir', 'policy.codex_sandbox']);
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 1, step: 'preflight' });
    expect(attempt).toMatchObject({ exit_code: 1, stderr_log: report.failures.join('\n'), stage: 'QUEUED' });
    expect(await latestArtifact(ctx.db, 'run_1', 'preflight_report')).toMatchObject({ metadata: { ok: false } });
  });

  it('runPreflight with an unknown sandbox is a usage error that records nothing', async () => {
    const { ctx, store } = await workspaceContext();
    stores.push(store);
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    const error = await gateError(runPreflight(ctx, { runId: 'run_1', codexSandbox: 'yolo' }));
    expect(error.code).toBe('usage');
    expect(await listAttempts(ctx.db, 'run_1', { limit: 10 })).toEqual([]);
  });
});

describe('installSkills and skillsStatus use cases', () => {
  it('installSkills installs the shipped skills under $CODEX_HOME by default and skillsStatus then reports none missing', async () => {
    const codexHome = join(tempDir('agentpr-codex-'), 'home');
    const ctx = baseContext({ PATH: '', CODEX_HOME: codexHome, HOME: '/nonexistent' });
    const before = await skillsStatus(ctx);
    expect(before.missing_required).toHaveLength(3);
    const result = await installSkills(ctx);
    expect(result).toMatchObject({ kind: 'complete', report: { codex_home: codexHome, local_skills_root: SHIPPED_SKILLS, missing_required_after_install: [] } });
    const after = await skillsStatus(ctx);
    expect(after).toMatchObject({ installed_skill_count: 3, missing_required: [], outdated_required: [] });
    expect((await installSkills(ctx)).report.results.map((r) => r.status)).toEqual(['already_exists', 'already_exists', 'already_exists']);
  });
});
