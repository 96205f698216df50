import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, lsRemote, makeBareFork, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import { checkIsolation } from '@agentpr/codex-runner';
import { findExecutable } from '@agentpr/workspace';
import { main } from '../main.js';

afterEach(() => cleanupTempDirs());

const sandboxed = (await checkIsolation('bwrap', process.env)).ok;
/** An upstream whose "adds numbers" already fails: run-prepare's baseline names it. */
const FAILING_UPSTREAM = {
  'package.json': JSON.stringify({ name: 'calc', private: true, type: 'module', scripts: { test: 'node --test' } }),
  'test/math.test.js': "import test from 'node:test';\nimport assert from 'node:assert/strict';\ntest('adds numbers', () => assert.equal(1 + 1, 3));\n",
};

interface Ran {
  code: number;
  json: any;
  stderr: string;
}

function sink(): Writable & { text: string; isTTY?: boolean } {
  const out = new Writable({
    write(chunk, _enc, done) {
      out.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

/** One in-process CLI invocation against a data dir, with git's test identity and no global git config. */
async function cli(
  dataDir: string,
  args: string[],
  env: Record<string, string> = testGitEnv(),
  options: { tty?: boolean } = {},
): Promise<Ran & { stdout: string }> {
  const stdout = sink();
  if (options.tty) stdout.isTTY = true;
  const stderr = sink();
  const code = await main(['--data-dir', dataDir, ...args], { stdout, stderr, env });
  let json: unknown;
  try {
    json = JSON.parse(stdout.text);
  } catch {
    json = undefined;
  }
  return { code, json, stderr: stderr.text, stdout: stdout.text };
}

async function setup() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
  const fork = await makeBareFork(upstream);
  const data = tempDir('agentpr-cli-data-');
  expect((await cli(data, ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_cli'])).code).toBe(0);
  return { upstream, fork, data, workspace: join(data, 'workspaces', 'acme', 'widgets', 'run_cli') };
}

const prepareArgs = (upstream: string, fork: string) => ['run-prepare', '--skip-doctor', '--run-id', 'run_cli', '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me'];

describe('agentpr run-prepare / run-finish against local remotes', () => {
  it('prepares a run, and after local validation finishes it: the fork gets exactly the intended commit and the run is PUSHED', async () => {
    const { upstream, fork, data, workspace } = await setup();
    const prepared = await cli(data, prepareArgs(upstream.url, fork.url));
    expect(prepared.code, prepared.stderr).toBe(0);
    expect(prepared.json).toMatchObject({ ok: true, exit_code: 0, state: 'DISCOVERY', workspace_dir: workspace, base_sha: upstream.headSha, fork_owner: 'me' });
    // The upstream has no test command, so there is no baseline to take (and the JSON says why).
    expect(prepared.json.baseline).toMatchObject({ kind: 'skipped', reason: 'no_test_command' });
    const branch = prepared.json.feature_branch as string;
    expect(branch).toMatch(/^agentpr\/example-\d{8}-\d{6}-run_cli$/);

    for (const step of [['mark-plan-ready', '--contract-path', '/tmp/c.md'], ['start-implementation'], ['mark-local-validated']]) {
      expect((await cli(data, [...step, '--run-id', 'run_cli'])).code).toBe(0);
    }
    writeFileSync(join(workspace, 'src', 'app.txt'), 'one\ntwo\n');
    writeFileSync(join(workspace, 'NEW.md'), 'new file\n');

    const finished = await cli(data, ['run-finish', '--skip-doctor', '--run-id', 'run_cli', '--changes', 'Adds two.', '--commit-title', 'feat(app): add two']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.json).toMatchObject({ ok: true, exit_code: 0, branch, state: 'PUSHED', changed_files: ['NEW.md', 'src/app.txt'] });
    expect(await git(fork.url, ['rev-parse', `refs/heads/${branch}`])).toBe(finished.json.head_sha);
    expect(await git(fork.url, ['rev-parse', `${finished.json.head_sha}^`])).toBe(upstream.headSha);
    expect(await git(fork.url, ['log', '-1', '--format=%s', finished.json.head_sha])).toBe('feat(app): add two');

    const shown = await cli(data, ['show-run', '--run-id', 'run_cli']);
    expect(shown.json).toMatchObject({ state: 'PUSHED' });
  });

  it.skipIf(!sandboxed)('run-prepare says in one line of its text which tests already fail on the base commit (the baseline)', async () => {
    const upstream = await makeUpstream({ files: FAILING_UPSTREAM });
    const fork = await makeBareFork(upstream);
    const data = tempDir('agentpr-cli-data-');
    expect((await cli(data, ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_cli'])).code).toBe(0);
    const prepared = await cli(data, prepareArgs(upstream.url, fork.url), testGitEnv(), { tty: true });
    expect(prepared.code, prepared.stderr).toBe(0);
    expect(prepared.stdout).toMatch(/^prepared .* state DISCOVERY\nbaseline: npm test failed on the base commit \(1 failing: adds numbers\)$/m);
  });

  it('run-finish with a newline in the title exits non-zero with one line and leaves the fork untouched', async () => {
    const { upstream, fork, data, workspace } = await setup();
    await cli(data, prepareArgs(upstream.url, fork.url));
    for (const step of [['mark-plan-ready', '--contract-path', '/tmp/c.md'], ['start-implementation'], ['mark-local-validated']]) await cli(data, [...step, '--run-id', 'run_cli']);
    writeFileSync(join(workspace, 'x.txt'), 'x\n');
    const before = await lsRemote(fork.url);
    const r = await cli(data, ['run-finish', '--skip-doctor', '--run-id', 'run_cli', '--changes', 'x', '--commit-title', 'feat: a\nb']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(r.json.error).toContain('line break');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('run-finish before local validation exits 1, commits and pushes nothing', async () => {
    const { upstream, fork, data, workspace } = await setup();
    await cli(data, prepareArgs(upstream.url, fork.url));
    writeFileSync(join(workspace, 'x.txt'), 'x\n');
    const before = await lsRemote(fork.url);
    const r = await cli(data, ['run-finish', '--skip-doctor', '--run-id', 'run_cli', '--changes', 'x', '--commit-title', 'feat: x']);
    expect(r.code).toBe(1);
    expect(r.json.error).toBe('run run_cli is in DISCOVERY; run-finish needs LOCAL_VALIDATING, so nothing was committed or pushed. Run mark-local-validated after local validation passes.');
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(workspace, ['status', '--porcelain'])).toBe('?? x.txt');
  });

  it('run-prepare with an upstream that does not exist exits with git\'s code, prints one line and leaves no workspace', async () => {
    const { data } = await setup();
    const r = await cli(data, ['run-prepare', '--skip-doctor', '--run-id', 'run_cli', '--upstream-url', join(data, 'nope.git')]);
    expect(r.code).toBe(128);
    expect(r.json).toMatchObject({ ok: false, exit_code: 128, state: 'FAILED_RETRYABLE' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^agentpr: run-prepare failed: cannot clone /);
    expect(existsSync(join(data, 'workspaces', 'acme'))).toBe(false);
  });

  it('run-agent-step on a run without a workspace exits 1, says why in one stderr line and sends the run to review', async () => {
    const { data } = await setup();
    const r = await cli(data, ['run-agent-step', '--skip-doctor', '--run-id', 'run_cli', '--prompt', 'do it']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, state: 'NEEDS_HUMAN_REVIEW' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^agentpr: run-agent-step: workspace not found: .*; run run-prepare first$/m);
  });

  it('run-prepare on an unknown run exits 1 with the run-not-found message', async () => {
    const { data } = await setup();
    const r = await cli(data, ['run-prepare', '--skip-doctor', '--run-id', 'run_nope']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: 'run run_nope not found. Use list-runs to see existing runs.' });
  });

  it('run-prepare without --skip-doctor on a machine without git is stopped by the github gate, which names the profile', async () => {
    const { upstream, data } = await setup();
    const r = await cli(data, ['run-prepare', '--run-id', 'run_cli', '--upstream-url', upstream.url], { PATH: tempDir('agentpr-empty-bin-'), HOME: data });
    expect(r.code).toBe(1);
    expect(r.json.error).toMatch(/^startup doctor gate \(profile github\) failed: cmd\.git: Not found in PATH; .*Run `agentpr doctor` for details\.$/);
    expect(existsSync(join(data, 'workspaces', 'acme'))).toBe(false);
  });
});

describe('agentpr doctor, run-preflight, install-skills, skills-status', () => {
  it('doctor on a machine without git exits 1 and reports cmd.git as failed', async () => {
    const data = tempDir('agentpr-cli-data-');
    const r = await cli(data, ['doctor', '--skip-network-check', '--no-require-gh-auth'], { PATH: tempDir('agentpr-empty-bin-') });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, failures: ['cmd.git: Not found in PATH'] });
    expect(r.json.checks.map((c: { name: string }) => c.name)).toEqual(['workspace.write', 'cmd.git']);
    expect(r.stderr).toBe('agentpr: doctor: 1 check failed: cmd.git: Not found in PATH\n');
  });

  it('a data dir or workspace root where Node cannot mkdir (/proc) fails at once with one line instead of hanging', async () => {
    const listed = await cli('/proc/agentpr-nope', ['list-runs']);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toBe("agentpr: cannot create the directory for database /proc/agentpr-nope/agentpr.db: ENOENT: no such file or directory, mkdir '/proc/agentpr-nope'\n");
    const data = tempDir('agentpr-cli-data-');
    const doctor = await cli(data, ['doctor', '--skip-network-check', '--no-require-gh-auth', '--workspace-root', '/proc/agentpr-ws']);
    expect(doctor.code).toBe(1);
    expect(doctor.json.failures).toContain("workspace.write: /proc/agentpr-ws: ENOENT: no such file or directory, mkdir '/proc/agentpr-ws'");
  }, 20_000);

  it('doctor with git on PATH and a token exits 0', async () => {
    const data = tempDir('agentpr-cli-data-');
    const bin = tempDir('agentpr-bin-');
    symlinkSync((await findExecutable('git', process.env))!, join(bin, 'git'));
    const r = await cli(data, ['doctor', '--skip-network-check'], { PATH: bin, GITHUB_TOKEN: 'ghp_not_a_real_token_000' });
    expect(r.code).toBe(0);
    expect(JSON.stringify(r.json)).not.toContain('ghp_not_a_real_token');
  });

  it('run-preflight on a prepared run exits 0 and prints the report', async () => {
    const { upstream, fork, data } = await setup();
    await cli(data, prepareArgs(upstream.url, fork.url));
    const r = await cli(data, ['run-preflight', '--run-id', 'run_cli', '--skip-network-check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, failures: [] });
    expect(readdirSync(join(data, 'reports')).filter((f) => f.startsWith('run_cli_preflight_'))).toHaveLength(1);
  });

  it('install-skills is idempotent and skills-status then reports nothing missing', async () => {
    const data = tempDir('agentpr-cli-data-');
    const codexHome = join(data, 'codex');
    const first = await cli(data, ['install-skills', '--codex-home', codexHome]);
    expect(first.code).toBe(0);
    expect(first.json.results.map((r: { status: string }) => r.status)).toEqual(['installed', 'installed', 'installed']);
    const second = await cli(data, ['install-skills', '--codex-home', codexHome]);
    expect(second.json.results.map((r: { status: string }) => r.status)).toEqual(['already_exists', 'already_exists', 'already_exists']);
    const status = await cli(data, ['skills-status', '--codex-home', codexHome]);
    expect(status.code).toBe(0);
    expect(status.json).toMatchObject({ ok: true, missing_required: [], outdated_required: [], installed_skill_count: 3 });
  });
});
