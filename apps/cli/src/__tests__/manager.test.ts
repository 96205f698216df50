import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuns, getLease, getRun, listEvents, listAttempts, openStore } from '@agentpr/store';
import { cleanupTempDirs, codexBinaryPath, createSampleWorkspace, dialectsUnderTest, freshDatabase, makeBareFork, tempDir, withCodexSandbox } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../../../tools/model-stub/scenarios/', import.meta.url));
afterAll(() => cleanupTempDirs());

/** Runs the built CLI without blocking this process (the model stub lives here). */
function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

async function remotes() {
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  return { upstream: sample.remote!, fork: fork.url };
}

describe('agentpr drive', () => {
  it('takes a new run from QUEUED to a PR request with the real codex and the model stub', async () => {
    const db = await freshDatabase('sqlite');
    const sandbox = await withCodexSandbox({ scenario: join(SCENARIOS, 'implement-and-tests-pass.json') });
    try {
      const { upstream, fork } = await remotes();
      const home = tempDir('agentpr-home-');
      const prompt = join(home, 'prompt.md');
      writeFileSync(prompt, 'Add titleCase(text) in src/title-case.js with a test and run npm test.\n');
      const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, AGENTPR_HOME: home, AGENTPR_CODEX_BIN: codexBinaryPath() };
      delete env.TMPDIR;
      const base = [...db.cliArgs, '--skip-doctor', '--json'];
      expect((await cli([...base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', 'run_drive'], env)).code).toBe(0);
      const driven = await cli([...base, 'drive', '--run-id', 'run_drive', '--prompt-file', prompt, '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me', '--skip-network-check', '--commit-title', 'feat: add titleCase'], env, 240_000);
      expect(driven.code, driven.stderr).toBe(0);
      const out = JSON.parse(driven.stdout);
      expect(out).toMatchObject({ state: 'PUSHED' });
      expect(out.pr_request.confirm_token).toMatch(/^[0-9A-F]{32,}$/);
      expect(out.stopped_because).toMatch(/PR request/);
      // Issue 15: the PR text is rendered from the campaign template with what the run did, never the raw template.
      expect(out.pr_request.preview.title).toBe('feat(sample): add example integration');
      expect(out.pr_request.pr_text).toMatchObject({ title_from: 'template', body_from: 'campaign_template' });
      const body: string = out.pr_request.preview.body;
      expect(body).toMatch(/## Changes\n\n- `src\/title-case\.js` \(\+\d+ −0\)/);
      expect(body).toContain('- `npm test` — passed (exit 0)');
      expect(body).toContain("agentpr's verdict on the change: PASS (`runtime_success`");
      expect(body).not.toMatch(/(?<!\\)\{(summary|changes|validation)\}/);
    } finally {
      await sandbox.close();
      await db.drop();
    }
  }, 300_000);
});

describe.each(dialectsUnderTest())('manager loops on %s', (kind) => {
  it('four loop processes drive 50 runs and no run is acted on twice', async () => {
    const db = await freshDatabase(kind);
    const { upstream, fork } = await remotes();
    const home = tempDir('agentpr-home-');
    const store = await openStore(db.location);
    try {
      const runs = Array.from({ length: 50 }, (_, i) => ({ runId: `run_${String(i).padStart(3, '0')}`, owner: 'octo', repo: 'sample', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(home, 'workspaces', 'octo', 'sample', `run_${String(i).padStart(3, '0')}`) }));
      await createRuns(store.db, runs);
      const env = { ...process.env, AGENTPR_HOME: home };
      const args = [...db.cliArgs, '--skip-doctor', '--json', 'run-manager-loop', '--max-loops', '4', '--interval-sec', '1', '--limit', '50', '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me'];
      const loops = await Promise.all([0, 1, 2, 3].map(() => cli(args, env, 240_000)));
      for (const l of loops) expect(l.stderr).not.toMatch(/unexpected error|database is locked|SQLITE_BUSY/);
      for (const r of runs) {
        const events = await listEvents(store.db, r.runId, { limit: 100 });
        const count = (type: string) => events.filter((e) => e.event_type === type).length;
        expect([r.runId, count('command.start.discovery'), count('worker.discovery.completed'), count('command.start.implementation')]).toEqual([r.runId, 1, 1, 1]);
        expect(await listAttempts(store.db, r.runId, { limit: 10, step: 'prepare' })).toHaveLength(1);
        // Without a prompt file the run waits for a human at IMPLEMENTING.
        expect((await getRun(store.db, r.runId))?.state.current_state).toBe('IMPLEMENTING');
      }
    } finally {
      await store.close();
      await db.drop();
    }
  }, 300_000);
});

describe('a killed manager', () => {
  it('leaves a lease that expires, and the next tick picks the run up again', async () => {
    const db = await freshDatabase('sqlite');
    const sandbox = await withCodexSandbox({ scenario: join(SCENARIOS, 'hang-past-timeout.json') });
    const store = await openStore(db.location);
    try {
      const { upstream, fork } = await remotes();
      const home = tempDir('agentpr-home-');
      const prompt = join(home, 'prompt.md');
      writeFileSync(prompt, 'Do the task.\n');
      writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({ run_agent_step: { max_agent_seconds: 600 } }));
      const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, AGENTPR_HOME: home, AGENTPR_CODEX_BIN: codexBinaryPath() };
      delete env.TMPDIR;
      const base = [...db.cliArgs, '--skip-doctor', '--json'];
      await cli([...base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', 'run_k'], env);
      const flags = ['--run-id', 'run_k', '--prompt-file', prompt, '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me', '--skip-network-check', '--lease-ttl-sec', '2', '--max-actions-per-run', '10'];
      // The first worker prepares, plans, and hangs in the agent step; we kill it there.
      const child = spawn(process.execPath, [BIN, ...base, 'manager-tick', ...flags], { env, stdio: 'ignore' });
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const attempts = await listAttempts(store.db, 'run_k', { limit: 5 });
        const requests = sandbox.stub.requests?.length ?? 0;
        if ((await getRun(store.db, 'run_k'))?.state.current_state === 'IMPLEMENTING' && requests > 0 && attempts.some((a) => a.step === 'preflight')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(await getLease(store.db, 'run_k')).toBeDefined();
      // A second worker right away is refused by the lease…
      const killedAt = Date.now();
      const blocked = await cli([...base, 'manager-tick', ...flags, '--max-actions-per-run', '1'], env);
      // On a loaded machine the second worker may start after the 2 s lease expired; say so when it fails.
      const why = `second tick ended ${Date.now() - killedAt} ms after the kill: ${blocked.stdout.slice(0, 600)}`;
      expect(JSON.parse(blocked.stdout).results[0].actions[0].result, why).toBe('leased_elsewhere');
      // …and after the lease expires it takes the run over.
      await new Promise((r) => setTimeout(r, 2500));
      const resumed = await cli([...base, 'manager-tick', ...flags.filter((f) => f !== '--prompt-file' && f !== prompt), '--max-actions-per-run', '1'], env);
      const report = JSON.parse(resumed.stdout);
      expect(report.expired_leases).toBe(1);
      expect(report.results[0].actions[0].result).not.toBe('leased_elsewhere');
    } finally {
      await store.close();
      await sandbox.close();
      await db.drop();
    }
  }, 300_000);

  it('on SIGTERM stops taking work, gives the agent step its grace, then records it as interrupted and frees the lease', async () => {
    const db = await freshDatabase('sqlite');
    const sandbox = await withCodexSandbox({ scenario: join(SCENARIOS, 'hang-past-timeout.json') });
    const store = await openStore(db.location);
    try {
      const { upstream, fork } = await remotes();
      const home = tempDir('agentpr-home-');
      const prompt = join(home, 'prompt.md');
      writeFileSync(prompt, 'Do the task.\n');
      const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, AGENTPR_HOME: home, AGENTPR_CODEX_BIN: codexBinaryPath() };
      delete env.TMPDIR;
      const base = [...db.cliArgs, '--skip-doctor', '--json'];
      await cli([...base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', 'run_t'], env);
      const child = spawn(process.execPath, [BIN, ...base, 'run-manager-loop', '--prompt-file', prompt, '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'me', '--skip-network-check', '--interval-sec', '1', '--max-actions-per-run', '10', '--shutdown-grace-sec', '1'], { env, stdio: 'ignore' });
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && (sandbox.stub.requests?.length ?? 0) === 0) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(code).toBe(0);
      const [attempt] = await listAttempts(store.db, 'run_t', { limit: 1, step: 'agent' });
      expect(attempt).toMatchObject({ grade: 'RETRYABLE', reason_code: 'runtime_interrupted' });
      expect((await getRun(store.db, 'run_t'))?.state.current_state).toBe('FAILED_RETRYABLE');
      expect(await getLease(store.db, 'run_t')).toBeUndefined();
    } finally {
      await store.close();
      await sandbox.close();
      await db.drop();
    }
  }, 300_000);
});
