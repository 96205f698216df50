import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { applyEvent, createRun, listRuns, openStore } from '@agentpr/store';
import { cleanupTempDirs, codexBinaryPath, tempDir, textSink } from '@agentpr/testing';
import { findExecutable } from '@agentpr/workspace';
import { main } from '../main.js';

afterAll(() => cleanupTempDirs());

let home: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  home = tempDir('agentpr-cli-i13-');
  env = { PATH: process.env.PATH, HOME: home };
});

async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await main(['--data-dir', home, '--json', ...args], { stdout, stderr, env: { ...env, ...extraEnv } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function runIds(): Promise<string[]> {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    return (await listRuns(store.db, { limit: 10 })).map((r) => r.run_id);
  } finally {
    await store.close();
  }
}

describe('names (issue 13)', () => {
  it.each([['..', 'r'], ['.', 'r'], ['o', '..'], ['o', 'a/b']])('create-run --owner %j --repo %j is refused with one line', async (owner, repo) => {
    const r = await cli(['--skip-doctor', 'create-run', '--owner', owner, '--repo', repo, '--prompt-version', 'v1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agentpr: invalid run: (owner|repo): must (not be made only of dots|contain only letters)[^\n]*\n$/);
    expect(await runIds()).toEqual([]);
  });
});

describe('import-runs errors (issue 13)', () => {
  const SECRET = 'ghp_' + 'T0KEN'.repeat(7);

  it('a file it cannot parse is named by line and problem, never echoed', async () => {
    const file = join(home, 'runs.jsonl');
    writeFileSync(file, `{"owner":"o","repo":"r","prompt_version":"v1"}\n${SECRET}\n`);
    const r = await cli(['import-runs', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('agentpr: invalid JSON: runs.jsonl line 2, column 1: unexpected character (not a JSON value). Fix that line; nothing was imported.\n');
    expect(r.stdout).not.toContain('T0KEN');
  });

  it('a .. entry is refused naming its line, and nothing is imported', async () => {
    const file = join(home, 'runs.json');
    writeFileSync(file, JSON.stringify([{ owner: 'o', repo: 'r', prompt_version: 'v1' }, { owner: '..', repo: 'r', prompt_version: 'v1' }], null, 2));
    const r = await cli(['import-runs', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('agentpr: invalid run at runs.json line 7 (entry #2): owner: must not be made only of dots (GitHub refuses . and ..)\n');
    expect(await runIds()).toEqual([]);
  });
});

describe('sync-github and the GitHub API URL (issue 13)', () => {
  let stub: GitHubStub;
  beforeEach(async () => {
    stub = await startGitHubStub({ token: 'cli-token' });
    stub.addRepo('acme', 'widgets');
  });
  afterEach(() => stub.close());

  it('sync-github prints each failure message, not [object Object]', async () => {
    const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
    try {
      await createRun(store.db, { runId: 'run_s', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(home, 'workspaces', 'acme', 'widgets', 'run_s') });
      await store.db.updateTable('run_states').set({ current_state: 'PUSHED' }).where('run_id', '=', 'run_s').execute();
      await applyEvent(store.db, 'run_s', { event: { type: 'command.pr.linked', pr_number: 42 } });
    } finally {
      await store.close();
    }
    const r = await cli(['--skip-doctor', 'sync-github'], { GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: stub.url });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('[object Object]');
    // Octokit may warn first; the failure line is the command's own.
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^agentpr: sync-github: run_s \(PR #42\): .*acme\/widgets#42/);
  });

  it('a plain-http API URL that is not loopback is refused with one line before the token is sent', async () => {
    for (const url of ['http://192.0.2.7/api/v3', 'http://github.example.test']) {
      const r = await cli(['--skip-doctor', 'sync-github', '--github-api-url', url], { GITHUB_TOKEN: 'secret-cli-token' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^agentpr: refusing to send the GitHub token to http:\/\/[^ ]+ over plain http; use https:\/\/ \(plain http is allowed only to a loopback host\)\.\n$/);
      expect(r.stderr + r.stdout).not.toContain('secret-cli-token');
    }
    expect(stub.requests).toEqual([]);
  });
});

describe('the startup gate offline (issue 13)', () => {
  it('drive --skip-network-check passes the manager gate on an offline machine', async () => {
    const bin = tempDir('agentpr-bin-');
    symlinkSync((await findExecutable('git', process.env))!, join(bin, 'git'));
    // bubblewrap too: the manager gate also checks that agent steps can be sandboxed.
    const bwrap = await findExecutable('bwrap', process.env);
    if (bwrap) symlinkSync(bwrap, join(bin, 'bwrap'));
    // Offline: the GitHub API is a port nothing listens on; the gate must not probe it.
    const offline = { PATH: bin, GITHUB_TOKEN: 'x', GITHUB_API_URL: 'http://127.0.0.1:1', AGENTPR_CODEX_BIN: codexBinaryPath() };
    mkdirSync(join(home, 'workspaces'), { recursive: true });
    const gated = await cli(['drive', '--run-id', 'run_missing'], offline);
    expect(gated.stderr).toMatch(/^agentpr: startup doctor gate \(profile manager\) failed: .*net\.http:\/\/127\.0\.0\.1:1\//);
    const passed = await cli(['drive', '--run-id', 'run_missing', '--skip-network-check'], offline);
    expect(passed.stderr).not.toContain('startup doctor gate');
    expect(passed.stderr).toContain('run run_missing not found');
  }, 60_000);

  it('doctor --skip-network-check lists the skipped checks', async () => {
    const r = await cli(['doctor', '--skip-network-check', '--no-require-gh-auth']);
    const report = JSON.parse(r.stdout);
    expect(report.skipped).toEqual(expect.arrayContaining(['net.https://github.com/: --skip-network-check', 'gh.auth: --no-require-gh-auth']));
  });
});

describe('confinement flags (issue 12)', () => {
  it.each([
    [['run-agent-step', '--run-id', 'run_x', '--prompt', 'x', '--isolation', 'BWRAP2'], '--isolation must be one of bwrap, none, got "BWRAP2"'],
    [['run-agent-step', '--run-id', 'run_x', '--prompt', 'x', '--network', 'maybe'], '--network must be one of allowlist, on, off, got "maybe"'],
    [['drive', '--run-id', 'run_x', '--isolation', 'bogus'], '--isolation must be one of bwrap, none'],
    [['manager-tick', '--network', 'sideways'], '--network must be one of allowlist, on, off'],
    [['run-manager-loop', '--isolation', 'chroot'], '--isolation must be one of bwrap, none'],
  ])('%j exits 2 with one line before the doctor gate runs, and changes nothing', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('doctor gate');
  });
});
