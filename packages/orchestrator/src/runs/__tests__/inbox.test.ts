import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addArtifact, createRun, insertPrRequest } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { addDigest, applyAll, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { buildInbox, type InboxItem } from '../inbox.js';

const SHA = 'a'.repeat(40);
const TO_PUSHED: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: SHA },
];
const TO_CI_WAIT: RunEvent[] = [...TO_PUSHED, { type: 'command.pr.linked', pr_number: 7 }];

let tdb: TestDatabase;
let app: TestApp;
afterAll(() => cleanupTempDirs());
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

async function run(runId: string, events: RunEvent[]): Promise<void> {
  await createRun(app.ctx.db, { runId, owner: 'octo', repo: runId.replace('run_', ''), promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}` }, app.ctx.clock);
  await applyAll(app.ctx, runId, events);
  if (events.some((e) => e.type === 'worker.push.completed')) {
    await addArtifact(app.ctx.db, { runId, type: 'branch', uri: 'agentpr/x', metadata: { sha: SHA } }, app.ctx.clock);
  }
}

async function request(runId: string, expiresInMin: number): Promise<number> {
  const now = app.clock().getTime();
  const row = await insertPrRequest(app.ctx.db, {
    run_id: runId,
    request_file: `/reports/${runId}_pr_open_request.json`,
    title: `feat(${runId}): add widgets`,
    body: 'body',
    base: 'main',
    head: 'agentpr/x',
    head_owner: 'forker',
    head_sha: SHA,
    draft: 0,
    confirm_token_sha256: 'f'.repeat(64),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + expiresInMin * 60_000).toISOString(),
    consumed_at: null,
  });
  return row.id;
}

describe.each(dialectsUnderTest())('buildInbox on %s', (kind) => {
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location);
  });

  it('buildInbox groups what needs a human by reason, each item with its next command', async () => {
    await run('run_approve', TO_PUSHED);
    const requestId = await request('run_approve', 12);
    await run('run_expired', TO_PUSHED);
    await request('run_expired', -5);
    await run('run_norequest', TO_PUSHED);
    await run('run_review', [...TO_CI_WAIT, { type: 'github.review.submitted', state: 'changes_requested', pr_number: 7 }]);
    await run('run_ci', [...TO_CI_WAIT, { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: SHA }]);
    await applyAll(app.ctx, 'run_ci', [
      { type: 'worker.step.failed', step: 'agent', reason_code: 'ci_fix_failed', error_message: 'fix round failed' },
      { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error: 'manager:retry budget exhausted' },
    ]);
    await run('run_stuck', [{ type: 'command.start.discovery' }, { type: 'worker.discovery.completed', contract_path: '/c.md' }, { type: 'command.start.implementation' }]);
    await applyAll(app.ctx, 'run_stuck', [{ type: 'worker.step.failed', step: 'agent', reason_code: 'tests_failed', error_message: 'tests failed' }]);
    await applyAll(app.ctx, 'run_stuck', [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error: 'agent:tests_failed' }]);
    await addDigest(app.ctx, 'run_stuck', 't', {
      validation: { test_command_count: 1, failed_test_command_count: 1, failing_tests: [{ name: 'tests/test_api.py::test_get', excerpt: 'AssertionError: 1 != 2', before_agent: false }] },
    });
    await run('run_paused', [{ type: 'command.start.discovery' }, { type: 'command.pause' }]);
    await run('run_busy', [{ type: 'command.start.discovery' }]);
    await run('run_fixing', [...TO_CI_WAIT, { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: SHA }]);
    await applyAll(app.ctx, 'run_fixing', [{ type: 'command.start.implementation' }, { type: 'command.local.validation.passed' }, { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'b'.repeat(40) }]);

    const inbox = await buildInbox(app.ctx, { askGitHub: false });
    const byReason = Object.fromEntries(inbox.groups.map((g) => [g.reason, g.items.map((i) => i.run_id).sort()]));
    expect(inbox.groups.map((g) => g.reason)).toEqual(['pr_approval', 'pr_request_needed', 'changes_requested', 'ci_red', 'escalation', 'paused']);
    expect(byReason).toEqual({
      pr_approval: ['run_approve'],
      pr_request_needed: ['run_expired', 'run_norequest'],
      changes_requested: ['run_review'],
      ci_red: ['run_ci'],
      escalation: ['run_stuck'],
      paused: ['run_paused'],
    });
    expect(inbox.total).toBe(7);
    const item = (runId: string): InboxItem => inbox.groups.flatMap((g) => g.items).find((i) => i.run_id === runId)!;
    expect(item('run_approve')).toMatchObject({ reason: 'pr_approval', request_id: requestId, head_sha: SHA, title: 'feat(run_approve): add widgets' });
    expect(item('run_approve').next_command).toContain('agentpr approve-open-pr --run-id run_approve --request-file /reports/run_approve_pr_open_request.json');
    expect(item('run_expired')).toMatchObject({ why: 'expired', next_command: 'agentpr request-open-pr --run-id run_expired' });
    expect(item('run_norequest')).toMatchObject({ why: 'missing', expires_at: null });
    expect(item('run_review')).toMatchObject({ state: 'ITERATING', pr_number: 7, next_command: 'agentpr drive --run-id run_review' });
    expect(item('run_ci')).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', failing_checks: [], next_command: 'agentpr retry --run-id run_ci --target-state ITERATING' });
    expect(item('run_stuck')).toMatchObject({
      last_error: 'agent:tests_failed',
      failing_tests: [{ name: 'tests/test_api.py::test_get', excerpt: 'AssertionError: 1 != 2', before_agent: false }],
    });
    expect(item('run_stuck').next_command).toMatch(/^agentpr inspect-run --run-id run_stuck, then agentpr retry --run-id run_stuck --target-state IMPLEMENTING$/);
    expect(item('run_paused')).toMatchObject({ paused_from: 'DISCOVERY', next_command: 'agentpr resume --run-id run_paused' });
  });

  it('buildInbox names the failing checks the CI verdict recorded, from the store without a GitHub client, and tolerates a digest without failing tests', async () => {
    await run('run_ci', [...TO_CI_WAIT]);
    const recorded = ['lint', 'test\u202e (3.12)\n', 7];
    await applyAll(app.ctx, 'run_ci', [{ type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: SHA, failing_checks: recorded } as unknown as RunEvent]);
    await run('run_old', [{ type: 'command.start.discovery' }, { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'boom' }]);
    await applyAll(app.ctx, 'run_old', [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW' }]);
    await addDigest(app.ctx, 'run_old', 't');
    // testApp has no GitHub token: whatever the inbox names, the store recorded (cleaned again on the way out).
    expect(await app.ctx.github.client()).toBeUndefined();
    const inbox = await buildInbox(app.ctx);
    expect(inbox.groups.find((g) => g.reason === 'ci_red')?.items[0]).toMatchObject({ run_id: 'run_ci', failing_checks: ['lint', 'test (3.12)'] });
    expect(inbox.groups.find((g) => g.reason === 'escalation')?.items[0]).toMatchObject({ run_id: 'run_old', failing_tests: [] });
  });

  it('buildInbox of a quiet store is empty', async () => {
    await run('run_busy', [{ type: 'command.start.discovery' }]);
    expect(await buildInbox(app.ctx)).toEqual({ kind: 'inbox', total: 0, groups: [] });
  });
});
