import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeUpstream, pushCommit, tempDir, testGitEnv } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
afterAll(() => cleanupTempDirs());

const running: ResultPromise[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `agentpr dev-stack` and resolves with the exported environment once it says it is up. */
async function startDevStack(data: string, args: string[]): Promise<{ child: ResultPromise; env: Record<string, string>; banner: string }> {
  const child = execa(process.execPath, [BIN, '--data-dir', data, 'dev-stack', ...args], { env: testGitEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000 });
  running.push(child);
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      banner += chunk.toString('utf8');
      if (banner.includes('# dev-stack is up')) resolve();
    });
    void child.then((r) => reject(new Error(`dev-stack exited early (${r.exitCode}): ${String(r.stderr)}`)));
  });
  const env: Record<string, string> = {};
  for (const m of banner.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[m[1]!] = m[2]!.replace(/^'|'$/g, '');
  return { child, env, banner };
}

describe('agentpr dev-stack', () => {
  it('starts the stand-in and the model stub, prints the environment, learns a pushed head from the fork, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir('agentpr-dev-stack-');
    const upstream = await makeUpstream();
    mkdirSync(join(dir, 'upstream', 'acme'), { recursive: true });
    mkdirSync(join(dir, 'fork', 'me'), { recursive: true });
    await git(dir, ['clone', '-q', '--bare', upstream.url, join(dir, 'upstream', 'acme', 'widgets.git')]);
    await git(dir, ['clone', '-q', '--bare', upstream.url, join(dir, 'fork', 'me', 'widgets.git')]);

    const { child, env, banner } = await startDevStack(join(dir, 'data'), ['--forks', join(dir, 'fork'), '--upstreams', join(dir, 'upstream')]);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['GITHUB_API_URL', 'GITHUB_TOKEN', 'AGENTPR_OFFLINE', 'CODEX_HOME', 'OPENAI_API_KEY']));
    expect(env.GITHUB_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toMatch(/# model stub: +http:\/\/127\.0\.0\.1:\d+\/v1/);
    const modelUrl = /# model stub: +(\S+)/.exec(banner)![1]!;
    expect((await fetch(`${modelUrl}/models`)).status).toBe(200);

    // A push to the fork, as run-finish makes it; nobody tells the stand-in.
    const sha = await pushCommit(join(dir, 'fork', 'me', 'widgets.git'), { branch: 'agentpr/x', files: { 'b.txt': 'b\n' } });
    const headers = { authorization: `token ${env.GITHUB_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${env.GITHUB_API_URL}/repos/acme/widgets/pulls`, { method: 'POST', headers, body: JSON.stringify({ title: 'feat: b', head: 'me:agentpr/x', base: 'main' }) });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { head: { sha: string } }).head.sha).toBe(sha);

    // The gate of a GitHub command passes offline against the stack: local remotes, the stand-in, no github.com, no gh.
    const doctor = await execa(process.execPath, [BIN, '--data-dir', join(dir, 'data'), 'doctor', '--upstream-url', join(dir, 'upstream', 'acme', 'widgets.git'), '--fork-url', join(dir, 'fork', 'me', 'widgets.git')], {
      env: { ...testGitEnv(), ...env, GITHUB_TOKEN: '' }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000,
    });
    const report = JSON.parse(String(doctor.stdout)) as { ok: boolean; offline_mode: { offline: boolean }; checks: Array<{ name: string }> };
    expect(report).toMatchObject({ ok: true, offline_mode: { offline: true } });
    expect(report.checks.map((c) => c.name).filter((n) => n.startsWith('net.'))).toEqual([`net.${env.GITHUB_API_URL}/`]);

    child.kill('SIGTERM');
    const ended = await child;
    expect(ended.exitCode).toBe(0);
    expect(String(ended.stdout)).toContain('"stopped": "SIGTERM"');
    await expect(fetch(`${env.GITHUB_API_URL}/repos/acme/widgets`)).rejects.toThrow();
  });

  it('run-prepare passes its startup gate offline with local remotes and the stand-in, and without them names the switch', async () => {
    const dir = tempDir('agentpr-offline-gate-');
    const upstream = await makeUpstream();
    const { env } = await startDevStack(join(dir, 'stack'), []);
    const data = join(dir, 'data');
    const run = (args: string[], extra: Record<string, string>) =>
      execa(process.execPath, [BIN, '--data-dir', data, ...args], { env: { ...testGitEnv(), ...extra }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
    expect((await run(['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_off'], {})).exitCode).toBe(0);
    const prepare = ['run-prepare', '--run-id', 'run_off', '--upstream-url', upstream.url, '--fork-url', upstream.url, '--fork-owner', 'me'];
    // No GitHub API URL and no token: online, the gate fails and names the ways through.
    const refused = await run(prepare, { GITHUB_API_URL: 'http://192.0.2.1:9' });
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stderr)).toMatch(/startup doctor gate \(profile github\) failed: .*--offline, AGENTPR_OFFLINE=1 .*--skip-doctor/);
    const prepared = await run(prepare, { GITHUB_API_URL: env.GITHUB_API_URL! });
    expect(prepared.exitCode, String(prepared.stderr)).toBe(0);
    expect(JSON.parse(String(prepared.stdout))).toMatchObject({ state: 'DISCOVERY' });
  });
});
