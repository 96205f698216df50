import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyEvent, getRun, listArtifacts, listAttempts, listEvents, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, git, makeBareFork, makeUpstream, tempDir, testGitEnv, type TestDatabase } from '@agentpr/testing';
import { createAppPorts } from '../../adapters/app-ports.js';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { AgentprError } from '../../errors.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../prepare-run.js';
import { resetRunWorkspace } from '../reset-workspace.js';
import { EXAMPLE_CAMPAIGN, SHIPPED_SKILLS } from './harness.js';

const opened: Array<{ store: OpenDatabase; db: TestDatabase }> = [];
afterEach(async () => {
  for (const { store, db } of opened.splice(0)) {
    await store.close();
    await db.drop();
  }
  cleanupTempDirs();
});

/** A context on a fresh database of `kind` with the real ports (real git, real private artefact files). */
async function contextOn(kind: 'sqlite' | 'postgres'): Promise<AppContext> {
  const db = await freshDatabase(kind);
  const store = await openStore(db.location);
  opened.push({ store, db });
  const env = testGitEnv();
  const clock = (): Date => new Date('2026-03-01T10:00:00.000Z');
  return {
    db: store.db,
    dialect: store.dialect,
    clock,
    env,
    ...createAppPorts(env, { clock }),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(tempDir('agentpr-reset-'), { campaignDir: EXAMPLE_CAMPAIGN, skillsDir: SHIPPED_SKILLS }),
  };
}

/** A prepared run in IMPLEMENTING whose workspace holds a failed attempt's leftovers. */
async function preparedRun(ctx: AppContext) {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
  const fork = await makeBareFork(upstream);
  const run = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_r' });
  await prepareRun(ctx, { runId: 'run_r', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
  await applyCommand(ctx, 'run_r', { command: 'mark-plan-ready', contractPath: '/tmp/contract.md' });
  await applyCommand(ctx, 'run_r', { command: 'start-implementation' });
  const ws = run.workspace_dir;
  writeFileSync(join(ws, 'src', 'app.txt'), 'one\nbroken by the agent\n');
  writeFileSync(join(ws, 'scratch.py'), 'print("half done")\n');
  return { ws, base: upstream.headSha };
}

async function rejection(promise: Promise<unknown>): Promise<AgentprError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AgentprError);
  return error as AgentprError;
}

describe.each(dialectsUnderTest())('resetRunWorkspace on %s', (kind) => {
  it('puts the workspace back at the base commit, keeps a private patch of what it discarded and records the reset; the state stays', async () => {
    const ctx = await contextOn(kind);
    const { ws, base } = await preparedRun(ctx);
    const result = await resetRunWorkspace(ctx, { runId: 'run_r' });
    if (result.kind !== 'reset') throw new Error(`expected a reset, got ${result.kind}: ${result.message}`);
    expect(result).toMatchObject({ state: 'IMPLEMENTING', trigger: 'manual', point: 'base', targetSha: base, previousHead: base, discarded: { tracked: 1, untracked: 1, ignored: 0 } });
    expect(readFileSync(join(ws, 'src', 'app.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(ws, 'scratch.py'))).toBe(false);
    expect(await git(ws, ['status', '--porcelain', '--ignored'])).toBe('');

    const patch = readFileSync(result.patch!, 'utf8');
    expect(statSync(result.patch!).mode & 0o777).toBe(0o600);
    expect(patch).toContain(`# reset to ${base} (the base commit)`);
    expect(patch).toContain('+broken by the agent');
    expect(patch).toContain('+print("half done")');
    // The patch restores the discarded work.
    await git(ws, ['apply', result.patch!]);
    expect(readFileSync(join(ws, 'scratch.py'), 'utf8')).toBe('print("half done")\n');

    expect((await listArtifacts(ctx.db, 'run_r', { limit: 5, type: 'discarded_patch' }))[0]).toMatchObject({ uri: result.patch, metadata: { trigger: 'manual', target_sha: base, tracked: 1, untracked: 1 } });
    expect((await listArtifacts(ctx.db, 'run_r', { limit: 5, type: 'workspace_reset' }))[0]).toMatchObject({ metadata: { ok: true, point: 'base', patch: result.patch } });
    const [attempt] = await listAttempts(ctx.db, 'run_r', { limit: 1, step: 'workspace_reset' });
    expect(attempt).toMatchObject({ exit_code: 0, stage: 'IMPLEMENTING' });
    expect(attempt!.stdout_log).toContain(`reset to ${base} (base)`);
    expect((await getRun(ctx.db, 'run_r'))?.state.current_state).toBe('IMPLEMENTING');
  });
});

describe('resetRunWorkspace', () => {
  it('after a push it resets to the pushed head, not the base', async () => {
    const ctx = await contextOn('sqlite');
    const { ws, base } = await preparedRun(ctx);
    await git(ws, ['add', '-A']);
    await git(ws, ['commit', '-q', '-m', 'feat: pushed change']);
    const head = await git(ws, ['rev-parse', 'HEAD']);
    const branch = await git(ws, ['branch', '--show-current']);
    await applyEvent(ctx.db, 'run_r', { event: { type: 'command.local.validation.passed' } }, ctx.clock);
    await applyEvent(ctx.db, 'run_r', { event: { type: 'worker.push.completed', branch, head_sha: head } }, ctx.clock);
    writeFileSync(join(ws, 'README.md'), '# a CI fix that failed\n');
    const result = await resetRunWorkspace(ctx, { runId: 'run_r' });
    expect(result).toMatchObject({ kind: 'reset', point: 'pushed_head', targetSha: head, branch, discarded: { tracked: 1, untracked: 0 } });
    expect(head).not.toBe(base);
    expect(readFileSync(join(ws, 'README.md'), 'utf8')).toBe('# demo\n');
    expect(readFileSync(join(ws, 'scratch.py'), 'utf8')).toBe('print("half done")\n');
  });

  it('refuses an unknown run, a terminal run and a run without a workspace with one line, and changes nothing', async () => {
    const ctx = await contextOn('sqlite');
    await expect(resetRunWorkspace(ctx, { runId: 'run_nope' })).rejects.toThrow(/run_nope/);
    const { ws } = await preparedRun(ctx);
    await createRun(ctx, { owner: 'acme', repo: 'gadgets', prompt_version: 'v1', run_id: 'run_bare' });
    const missing = await rejection(resetRunWorkspace(ctx, { runId: 'run_bare' }));
    expect([missing.code, missing.message]).toEqual(['refused', `run run_bare has no workspace at ${join(ctx.paths.workspaceRoot, 'acme', 'gadgets', 'run_bare')}; run run-prepare first.`]);
    await applyEvent(ctx.db, 'run_r', { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'x', actor: 'worker' } }, ctx.clock);
    await applyEvent(ctx.db, 'run_r', { event: { type: 'command.retry', target_state: 'FAILED_TERMINAL', actor: 'operator' } }, ctx.clock);
    const terminal = await rejection(resetRunWorkspace(ctx, { runId: 'run_r' }));
    expect(terminal.message).toMatch(/^run run_r is in FAILED_TERMINAL, which is terminal/);
    expect(terminal.message).not.toContain('\n');
    expect(readFileSync(join(ws, 'scratch.py'), 'utf8')).toBe('print("half done")\n');
    expect(await listArtifacts(ctx.db, 'run_r', { limit: 5, type: 'workspace_reset' })).toEqual([]);
  });

  it('a planted hook (a protected file changed) is refused before any git runs: nothing is reset or recorded', async () => {
    const ctx = await contextOn('sqlite');
    const { ws } = await preparedRun(ctx);
    writeFileSync(join(ws, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\ntouch /tmp/pwned\n', { mode: 0o755 });
    const events = (await listEvents(ctx.db, 'run_r', { limit: 50 })).length;
    const result = await resetRunWorkspace(ctx, { runId: 'run_r' });
    expect(result).toMatchObject({ kind: 'refused', reason: 'protected_file_changed', state: 'IMPLEMENTING' });
    expect(result.kind === 'refused' && result.message).toContain('.git/hooks/post-checkout');
    expect(readFileSync(join(ws, 'scratch.py'), 'utf8')).toBe('print("half done")\n');
    expect(await listArtifacts(ctx.db, 'run_r', { limit: 5, type: 'discarded_patch' })).toEqual([]);
    expect(await listEvents(ctx.db, 'run_r', { limit: 50 })).toHaveLength(events);
  });
});
