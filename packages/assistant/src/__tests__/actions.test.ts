import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getAssistantActionByTokenHash } from '@agentpr/store';
import { dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { PendingAction } from '../ask-types.js';
import { tokenHash } from '../pending-actions.js';
import { assistantApp, harness, seedRun, stateOf, TELEGRAM, type AssistantApp, type Harness } from './assistant-fixtures.js';

const RUN = 'run_45f3cbdcdc56';

describe.each(dialectsUnderTest())('confirmAction and cancelAction on %s', (kind) => {
  let db: TestDatabase;
  let app: AssistantApp;
  let h: Harness;

  /** Asks to pause the run as user 7 in a write chat; returns the pending action. */
  async function propose(): Promise<PendingAction> {
    const result = await h.assistant.ask({ question: `pause ${RUN}`, requester: TELEGRAM('write') });
    if (result.kind !== 'answered' || !result.actions[0]) throw new Error(`no pending action: ${result.reply}`);
    return result.actions[0];
  }

  beforeEach(async () => {
    db = await freshDatabase(kind);
    app = await assistantApp(db.location);
    await seedRun(app.ctx, RUN, 'mem0ai', 'mem0');
    h = await harness(app, { scenario: 'pause-run', vars: { RUN_ID: RUN } });
  });

  afterEach(async () => {
    await h.close();
    await app.close();
    await db.drop();
  });

  it('a proposed write waits; cancelled, it never runs and cannot be confirmed; a new one confirmed runs once', async () => {
    const first = await propose();
    expect(first.summary).toBe(`pause ${RUN} (mem0ai/mem0)`);
    expect(first.expiresAt).toBe('2026-12-01T10:05:00.000Z');
    expect(await stateOf(app.ctx, RUN)).toBe('QUEUED');

    const cancelled = await h.assistant.cancel({ token: first.token, userKey: 'telegram:42:7', tier: 'write' });
    expect(cancelled).toEqual({ kind: 'cancelled', actionId: first.actionId, text: `Cancelled: pause ${RUN} (mem0ai/mem0). Nothing ran.` });
    expect(await h.assistant.confirm({ token: first.token, userKey: 'telegram:42:7', tier: 'write' })).toMatchObject({ kind: 'refused', reason: 'used' });
    expect(app.ran).toEqual([]);
    expect(await stateOf(app.ctx, RUN)).toBe('QUEUED');

    const second = await propose();
    const done = await h.assistant.confirm({ token: second.token, userKey: 'telegram:42:7', tier: 'write' });
    expect(done).toEqual({ kind: 'done', actionId: second.actionId, tool: 'pause_run', text: `Done: ${RUN}: PAUSED` });
    expect(await stateOf(app.ctx, RUN)).toBe('PAUSED');
    expect(await h.assistant.confirm({ token: second.token, userKey: 'telegram:42:7', tier: 'write' })).toMatchObject({ kind: 'refused', reason: 'used' });
    expect(app.ran).toEqual([`pause_run ${RUN}`]);
    expect(await getAssistantActionByTokenHash(app.ctx.db, tokenHash(second.token))).toMatchObject({ status: 'done', result_text: `${RUN}: PAUSED` });
    const decisions = (await h.records()).filter((r) => r.kind === 'assistant_action').map((r) => r.kind === 'assistant_action' && r.outcome);
    expect(decisions).toEqual(['cancelled', 'refused', 'confirmed', 'refused']);
  });

  it('two confirmations at once run the action exactly once', async () => {
    const action = await propose();
    const decision = { token: action.token, userKey: 'telegram:42:7', tier: 'write' as const };
    const results = await Promise.all([h.assistant.confirm(decision), h.assistant.confirm(decision)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['done', 'refused']);
    expect(app.ran).toEqual([`pause_run ${RUN}`]);
  });

  it('refuses another user of the same chat, and the asker can still confirm', async () => {
    const action = await propose();
    const other = await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:8', tier: 'admin' });
    expect(other).toEqual({ kind: 'refused', reason: 'other_user', text: 'Only the person who asked can confirm or cancel this.' });
    expect(await h.assistant.cancel({ token: action.token, userKey: 'telegram:42:8', tier: 'admin' })).toMatchObject({ reason: 'other_user' });
    expect(app.ran).toEqual([]);
    expect((await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:7', tier: 'write' })).kind).toBe('done');
  });

  it('refuses an expired confirmation and marks it so', async () => {
    const action = await propose();
    app.clock.advance(300_000);
    const expired = await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:7', tier: 'write' });
    expect(expired).toMatchObject({ kind: 'refused', reason: 'expired' });
    expect(await getAssistantActionByTokenHash(app.ctx.db, tokenHash(action.token))).toMatchObject({ status: 'cancelled', result_text: 'expired' });
    expect(app.ran).toEqual([]);
  });

  it('refuses when the tier is now too low, and an unknown or malformed token', async () => {
    const action = await propose();
    expect(await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:7', tier: 'read' })).toMatchObject({ kind: 'refused', reason: 'tier' });
    expect(await h.assistant.confirm({ token: 'A'.repeat(22), userKey: 'telegram:42:7', tier: 'write' })).toMatchObject({ kind: 'refused', reason: 'unknown' });
    expect(await h.assistant.confirm({ token: `${action.token}x`, userKey: 'telegram:42:7', tier: 'write' })).toMatchObject({ kind: 'refused', reason: 'unknown' });
    expect(app.ran).toEqual([]);
    // Still pending: the refusals changed nothing.
    expect((await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:7', tier: 'write' })).kind).toBe('done');
  });

  it('reports a failure of the confirmed tool as failed and settles the action', async () => {
    const action = await propose();
    await h.assistant.confirm({ token: (await propose()).token, userKey: 'telegram:42:7', tier: 'write' });
    // The run is PAUSED now: the tool refuses to pause it again.
    const failed = await h.assistant.confirm({ token: action.token, userKey: 'telegram:42:7', tier: 'write' });
    expect(failed).toMatchObject({ kind: 'failed', actionId: action.actionId });
    expect(failed.text).toMatch(/^Failed: pause run_45f3cbdcdc56 \(mem0ai\/mem0\): run run_45f3cbdcdc56 is already PAUSED$/);
    expect(await getAssistantActionByTokenHash(app.ctx.db, tokenHash(action.token))).toMatchObject({ status: 'failed' });
  });
});
