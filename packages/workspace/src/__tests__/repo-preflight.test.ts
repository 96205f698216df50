import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeImmutable, tempDir } from '@agentpr/testing';
import { findExecutable, repoPreflight } from '../index.js';
import { startServer, type LocalServer } from './http-fixtures.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

async function gitOnlyPath(): Promise<string> {
  const dir = tempDir('agentpr-bin-');
  symlinkSync((await findExecutable('git', process.env))!, join(dir, 'git'));
  return dir;
}

/** A git repository at <root>/o/r/run_1 with the given files. */
async function repoInRoot(files: Record<string, string> = {}): Promise<{ root: string; repo: string }> {
  const root = tempDir('agentpr-ws-root-');
  const repo = join(root, 'o', 'r', 'run_1');
  mkdirSync(repo, { recursive: true });
  await git(repo, ['init', '-q']);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(repo, path), content);
  return { root, repo };
}

const names = (report: { checks: Array<{ name: string }> }) => report.checks.map((c) => c.name);

describe('repoPreflight', () => {
  it('repoPreflight on a prepared repo inside the root passes every check and warns that no project type was found', async () => {
    const { root, repo } = await repoInRoot();
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
    expect(report.ok).toBe(true);
    expect(names(report)).toEqual(['repo.exists', 'repo.scope', 'git.dir', 'git.write', 'cmd.git', 'policy.codex_sandbox']);
    expect(report.checks.find((c) => c.name === 'policy.codex_sandbox')?.detail).toBe('mode=danger-full-access');
    expect(report.warnings).toEqual(['no Python or JavaScript project detected; network and tooling checks may be incomplete']);
    expect(report.context).toMatchObject({ repo_dir: repo, workspace_root: root, uses_python: false, uses_js: false, codex_sandbox: 'danger-full-access', check_network: false });
    expect(await readdir(join(repo, '.git'))).not.toContain('.agentpr_write_probe');
  });

  it('repoPreflight on a repo outside the root fails repo.scope', async () => {
    const { repo } = await repoInRoot();
    const otherRoot = tempDir('agentpr-other-root-');
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: otherRoot, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([`repo.scope: ${repo} is outside the workspace root ${otherRoot}`]);
  });

  it('repoPreflight follows symlinks: a link inside the root to a repo outside it fails repo.scope', async () => {
    const { repo } = await repoInRoot();
    const root = tempDir('agentpr-ws-root-');
    symlinkSync(repo, join(root, 'link'));
    const report = await repoPreflight({ repoDir: join(root, 'link'), workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
    expect(report.failures).toEqual([`repo.scope: ${repo} is outside the workspace root ${root}`]);
  });

  it('repoPreflight on a missing repo fails repo.exists, repo.scope and git.dir without throwing', async () => {
    const root = tempDir('agentpr-ws-root-');
    const report = await repoPreflight({ repoDir: join(root, 'missing'), workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.split(':')[0])).toEqual(['repo.exists', 'repo.scope', 'git.dir']);
  });

  it('repoPreflight with a .git file (worktree style) fails git.dir and does not probe', async () => {
    const root = tempDir('agentpr-ws-root-');
    const repo = join(root, 'wt');
    mkdirSync(repo);
    writeFileSync(join(repo, '.git'), 'gitdir: /somewhere/else\n');
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
    expect(report.failures).toEqual([`git.dir: ${join(repo, '.git')} is not a directory (a worktree or submodule .git file is not supported)`]);
    expect(names(report)).not.toContain('git.write');
  });

  it('repoPreflight on an immutable .git directory fails git.write with the OS error, even as root', async (ctx) => {
    const { root, repo } = await repoInRoot();
    const locked = await makeImmutable(join(repo, '.git'));
    if (!locked.applied) ctx.skip();
    try {
      const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false });
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]).toMatch(/^git\.write: EPERM/);
    } finally {
      await locked.restore();
    }
  });

  it('repoPreflight turns a probe error (read-only filesystem) into a failed git.write check', async () => {
    const { root, repo } = await repoInRoot();
    const probe = async () => {
      throw Object.assign(new Error("EROFS: read-only file system, open '.git/.agentpr_write_probe'"), { code: 'EROFS' });
    };
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false, probe });
    expect(report.failures).toEqual(["git.write: EROFS: read-only file system, open '.git/.agentpr_write_probe'"]);
  });

  it('repoPreflight with a read-only codex sandbox fails policy.codex_sandbox', async () => {
    const { root, repo } = await repoInRoot();
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false, codexSandbox: 'read-only' });
    expect(report.failures).toEqual(['policy.codex_sandbox: mode=read-only blocks environment setup and test runs; use workspace-write or danger-full-access']);
  });

  it('repoPreflight on a machine without git fails cmd.git', async () => {
    const { root, repo } = await repoInRoot();
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: tempDir() }, checkNetwork: false });
    expect(report.failures).toEqual(['cmd.git: Not found in PATH']);
  });

  it('repoPreflight on a Python poetry project requires the configured interpreter and poetry, in order', async () => {
    const { root, repo } = await repoInRoot({ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n', 'tox.ini': '[tox]\n' });
    const report = await repoPreflight({ repoDir: repo, workspaceRoot: root, env: { PATH: await gitOnlyPath() }, checkNetwork: false, pythonCommand: 'python3.12' });
    expect(names(report).slice(6)).toEqual(['cmd.python3.12', 'cmd.poetry', 'cmd.tox']);
    expect(report.failures).toEqual(['cmd.python3.12: Not found in PATH', 'cmd.poetry: Not found in PATH', 'cmd.tox: Not found in PATH']);
    expect(report.context).toMatchObject({ uses_python: true, python_tools: ['poetry', 'tox'], uses_js: false });
    expect(report.warnings).toEqual([]);
  });

  it('repoPreflight on a pnpm project requires node and pnpm and probes only the npm registry when asked', async () => {
    const { root, repo } = await repoInRoot({ 'package.json': '{"name":"x"}', 'pnpm-lock.yaml': 'lockfileVersion: 9\n' });
    const registry = await startServer(200);
    servers.push(registry);
    const report = await repoPreflight({
      repoDir: repo,
      workspaceRoot: root,
      env: { PATH: await gitOnlyPath() },
      checkNetwork: true,
      networkTimeoutSec: 2,
      urls: { python: 'http://127.0.0.1:1/never', js: registry.url },
    });
    expect(names(report).slice(6)).toEqual(['cmd.node', 'cmd.pnpm', `net.${registry.url}`]);
    expect(report.checks.at(-1)).toEqual({ name: `net.${registry.url}`, ok: true, detail: 'HTTP 200' });
    expect(report.context).toMatchObject({ uses_js: true, js_tools: ['node', 'pnpm'], uses_bun: false, check_network: true });
  });
});
