import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRun, listAuditRecords, listGateChecks } from '@agentpr/store';
import { cleanupTempDirs } from '@agentpr/testing';
import { decide } from '../../manager/decide.js';
import { gatherFacts } from '../../manager/gather-facts.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { activeRepo, gatesWorld, queuedRun, type GatesWorld } from './gates-fixture.js';

let world: GatesWorld;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  world = await gatesWorld();
});
afterEach(async () => {
  expect(world.stub.openApiViolations).toEqual([]);
  await world.close();
});

const runOf = async (runId: string) => (await getRun(world.ctx.db, runId))!;

describe('run-prepare asks the gates before any clone', () => {
  it('prepareRun on a repository that forbids AI contributions ends the run as SKIPPED with the quote, and clones nothing', async () => {
    activeRepo(world, 'acme', 'widgets', { 'CONTRIBUTING.md': '# Contributing\n\nThank you for helping.\n\nWe do not accept AI-generated contributions.\n' });
    const { upstream, fork, workspace } = await queuedRun(world, 'run_1', 'acme', 'widgets');
    const result = await prepareRun(world.ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
    expect(result).toMatchObject({ kind: 'gated', phase: 'prepare', gate: 'ai_policy', outcome: 'skip_run', reason_code: 'ai_policy_forbidden', state: 'SKIPPED', next_commands: [] });
    if (result.kind !== 'gated') throw new Error('expected gated');
    expect(result.message).toMatch(/^run-prepare stopped by the ai_policy gate: .*We do not accept AI-generated contributions.*; run run_1 ended as SKIPPED\.$/);
    expect(result.message).not.toContain('\n');
    const { state } = await runOf('run_1');
    expect(state.current_state).toBe('SKIPPED');
    expect(state.last_error).toMatch(/^skip:ai_policy_forbidden:.*We do not accept AI-generated contributions/);
    expect(existsSync(workspace)).toBe(false);
    const [check] = await listGateChecks(world.ctx.db, 'run_1');
    expect(check).toMatchObject({ gate: 'ai_policy', phase: 'prepare', outcome: 'skip_run', reason_code: 'ai_policy_forbidden', override: 0 });
    expect(JSON.parse(check!.detail_json).evidence[0]).toMatchObject({ path: 'CONTRIBUTING.md', quote: expect.stringContaining('We do not accept AI-generated contributions') });
  });

  it('prepareRun blocked by a duplicate open PR waits for a human; --allow-duplicate (audited) clones and puts the run back to DISCOVERY', async () => {
    world.policy({ campaign_defaults: { duplicates: { keywords: ['widgets integration'] } } });
    activeRepo(world, 'acme', 'widgets');
    const other = world.stub.addPullRequest('acme', 'widgets', { title: 'Add the widgets integration', author: 'someone-else' });
    const { upstream, fork, workspace } = await queuedRun(world, 'run_1', 'acme', 'widgets');
    const input = { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' };

    const blocked = await prepareRun(world.ctx, input);
    expect(blocked).toMatchObject({ kind: 'gated', gate: 'duplicates', outcome: 'blocked', reason_code: 'duplicate_found', state: 'NEEDS_HUMAN_REVIEW' });
    if (blocked.kind !== 'gated') throw new Error('expected gated');
    expect(blocked.next_commands).toEqual(['agentpr run-prepare --run-id run_1 --allow-duplicate']);
    expect(blocked.message).toContain(`/acme/widgets/pull/${other.number}`);
    expect(blocked.message).toMatch(/; run run_1 is NEEDS_HUMAN_REVIEW; to go on: `agentpr run-prepare --run-id run_1 --allow-duplicate`\.$/);
    expect(existsSync(workspace)).toBe(false);
    expect((await runOf('run_1')).state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: expect.stringMatching(/^gate:duplicates:duplicate_found:/) });

    // The manager shows the human the one command that gets the run past the gate.
    const facts = await gatherFacts(world.ctx, 'run_1', { skillsMode: 'off', hasPrompt: false, syncIntervalMs: 60_000 });
    expect(decide(facts, 3)).toMatchObject({ action: 'wait_human', awaiting: { command: 'agentpr run-prepare --run-id run_1 --allow-duplicate' } });

    const prepared = await prepareRun(world.ctx, { ...input, allowDuplicate: true });
    expect(prepared).toMatchObject({ kind: 'prepared', state: 'DISCOVERY' });
    expect(existsSync(workspace)).toBe(true);
    expect((await runOf('run_1')).state.current_state).toBe('DISCOVERY');
    const overrides = (await listGateChecks(world.ctx.db, 'run_1', { gate: 'duplicates' })).filter((c) => c.override === 1);
    expect(overrides).toHaveLength(1);
    const audits = await listAuditRecords(world.ctx.db, { limit: 10, runId: 'run_1' });
    expect(audits.find((a) => a.kind === 'gate_override:duplicates')).toMatchObject({ actor: 'operator' });
  });

  it('prepareRun of an archived repository ends the run as SKIPPED before any clone', async () => {
    activeRepo(world, 'acme', 'widgets');
    world.stub.updateRepo('acme', 'widgets', { archived: true });
    const { upstream, workspace } = await queuedRun(world, 'run_1', 'acme', 'widgets');
    const result = await prepareRun(world.ctx, { runId: 'run_1', upstreamUrl: upstream.url });
    expect(result).toMatchObject({ kind: 'gated', gate: 'etiquette', outcome: 'skip_run', reason_code: 'repo_archived', state: 'SKIPPED' });
    expect(existsSync(workspace)).toBe(false);
  });

  it('prepareRun with a local upstream and no explicit online switch does not ask GitHub: the gates pass as not_on_github', async () => {
    const { upstream, fork } = await queuedRun(world, 'run_1', 'acme', 'widgets');
    const offline = { ...world.ctx, env: { ...world.ctx.env, AGENTPR_OFFLINE: undefined } };
    const result = await prepareRun(offline, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
    expect(result.kind).toBe('prepared');
    const checks = await listGateChecks(world.ctx.db, 'run_1');
    expect(checks.map((c) => [c.gate, c.outcome, c.reason_code])).toEqual([
      ['duplicates', 'pass', 'not_on_github'],
      ['etiquette', 'pass', 'not_on_github'],
      ['ai_policy', 'pass', 'not_on_github'],
    ]);
    expect(checks[0]!.message).toContain('is a local repository, not on GitHub');
    expect(world.stub.requests).toEqual([]);
  });
});
