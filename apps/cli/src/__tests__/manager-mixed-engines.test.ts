// One manager tick, two runs in two repositories: the policy's repo_overrides make octo/alpha a claude repository
// (the real claude against the anthropic stub) while octo/beta keeps the default engine, codex (the real codex against
// the model stub). The built CLI runs the tick on SQLite; both runs must reach their success state in that one tick,
// and each attempt row must say which engine ran it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { getRun, listAttempts, openStore } from '@agentpr/store';
import { CLAUDE_TEST_RETRY_ENV, cleanupTempDirs, codexBinaryPath, createSampleWorkspace, freshDatabase, git, tempDir, testGitEnv, withClaudeSandbox, withCodexSandbox } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const CODEX_SCENARIO = fileURLToPath(new URL('../../../../tools/model-stub/scenarios/implement-and-tests-pass.json', import.meta.url));
afterAll(() => cleanupTempDirs());

/** Runs the built CLI without blocking this process (both model stubs answer from here). */
function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Local upstreams and forks laid out for the URL templates: `<root>/upstream/{owner}/{repo}.git`, `<root>/fork/{fork_owner}/{repo}.git`. */
async function remotesFor(repos: string[]): Promise<{ upstream: string; fork: string; forkOf: (repo: string) => string }> {
  const sample = await createSampleWorkspace({ withRemote: true });
  const root = tempDir('agentpr-remotes-');
  for (const repo of repos) {
    for (const path of [join(root, 'upstream', 'octo', `${repo}.git`), join(root, 'fork', 'me', `${repo}.git`)]) {
      mkdirSync(join(path, '..'), { recursive: true });
      await git(root, ['clone', '-q', '--bare', sample.remote!, path]);
    }
  }
  return { upstream: join(root, 'upstream', '{owner}', '{repo}.git'), fork: join(root, 'fork', '{fork_owner}', '{repo}.git'), forkOf: (repo) => join(root, 'fork', 'me', `${repo}.git`) };
}

/** The tick's report cut to what explains a failure: each run's actions, in full only where one failed. */
function tickSummary(stdout: string): string {
  try {
    const report = JSON.parse(stdout) as { results?: Array<{ run_id: string; state: string; actions_executed?: Array<Record<string, unknown>> }> };
    return JSON.stringify((report.results ?? []).map((r) => ({ run: r.run_id, state: r.state, actions: (r.actions_executed ?? []).map((a) => (a.ok === false ? a : `${String(a.state)} → ${String(a.action)}`)) })), null, 1);
  } catch {
    return stdout.slice(0, 3000);
  }
}

describe('a manager tick with a claude repository and a codex repository', () => {
  it('runs claude for octo/alpha and codex for octo/beta in one tick; both reach PUSHED and the attempt rows name their engines', async () => {
    const db = await freshDatabase('sqlite');
    const codex = await withCodexSandbox({ scenario: CODEX_SCENARIO });
    const claude = await withClaudeSandbox({ scenario: 'pass' });
    const store = await openStore(db.location);
    try {
      const { upstream, fork, forkOf } = await remotesFor(['alpha', 'beta']);
      const home = tempDir('agentpr-home-');
      const prompt = join(home, 'prompt.md');
      writeFileSync(prompt, 'Add titleCase(text) in src/title-case.js with a test and run npm test.\n');
      writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({
        run_agent_step: {
          env_passthrough: Object.keys(CLAUDE_TEST_RETRY_ENV),
          claude: { model: 'claude-sonnet-4-5' },
          repo_overrides: { 'octo/alpha': { engine: 'claude' } },
        },
      }));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        // The operator's home is a fresh one, so run-finish's commit takes its identity from here.
        ...testGitEnv(),
        ...codex.env,
        ...claude.env,
        ...CLAUDE_TEST_RETRY_ENV,
        HOME: tempDir('agentpr-operator-home-'),
        AGENTPR_HOME: home,
        AGENTPR_CODEX_BIN: codexBinaryPath(),
      };
      delete env.TMPDIR;
      const base = [...db.cliArgs, '--skip-doctor', '--json'];
      for (const repo of ['alpha', 'beta']) {
        const created = await cli([...base, 'create-run', '--owner', 'octo', '--repo', repo, '--prompt-version', 'v1', '--run-id', `run_${repo}`], env, 60_000);
        expect(created.code, created.stderr).toBe(0);
      }
      const tick = await cli([...base, 'manager-tick', '--prompt-file', prompt, '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me', '--skip-network-check', '--max-actions-per-run', '10', '--limit', '5', '--commit-title', 'feat: add titleCase'], env, 240_000);
      expect(tick.code, `${tick.stderr.slice(0, 2000)}\n${tickSummary(tick.stdout)}`).toBe(0);

      for (const [runId, engine, stub, repo] of [['run_alpha', 'claude', claude.stub, 'alpha'], ['run_beta', 'codex', codex.stub, 'beta']] as const) {
        const state = (await getRun(store.db, runId))?.state;
        expect([runId, state?.current_state], `${runId} last_error ${state?.last_error}; tick: ${tickSummary(tick.stdout)}`).toEqual([runId, 'PUSHED']);
        const attempts = await listAttempts(store.db, runId, { limit: 10, step: 'agent' });
        expect(attempts.map((a) => [runId, a.engine, a.grade])).toEqual([[runId, engine, 'PASS']]);
        expect((stub.requests ?? []).length, `${engine}'s model stub was never asked`).toBeGreaterThan(0);
        // PUSHED for real: the run's branch is in its fork, with the file the agent wrote.
        const branch = (await git(forkOf(repo), ['for-each-ref', '--format=%(refname:short)', 'refs/heads/'])).split('\n').find((b) => b.endsWith(runId));
        expect(branch, `no branch of ${runId} in the fork of ${repo}`).toBeDefined();
        expect(await git(forkOf(repo), ['ls-tree', '-r', '--name-only', branch!])).toContain('src/title-case.js');
      }
      expect((await listAttempts(store.db, 'run_alpha', { limit: 1, step: 'agent' }))[0]?.model).toBe('claude-sonnet-4-5');
      // One tick: the report lists both runs, each with its agent step done.
      const report = JSON.parse(tick.stdout) as { results: Array<{ run_id: string }> };
      expect(report.results.map((r) => r.run_id).sort()).toEqual(['run_alpha', 'run_beta']);
    } finally {
      await store.close();
      await claude.close();
      await codex.close();
      await db.drop();
    }
  }, 300_000);
});
