import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { applyEvent, applyEvents, createRun, getDeliveryRun, getRun, inTransaction, openStore, recordDeliveryEvent } from '../index.js';

afterAll(() => cleanupTempDirs());

const HEAD = 'c'.repeat(40);

describe.each(dialectsUnderTest())('held facts on %s (issue 13)', (kind) => {
  it('a PAUSED run keeps PAUSED through a failing check by sync and a changes-requested review by webhook; resume goes to ITERATING', async () => {
    const tdb = await freshDatabase(kind);
    const store = await openStore(tdb.location);
    try {
      await createRun(store.db, { runId: 'run_h', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w' });
      await store.db.insertInto('artifacts').values({ run_id: 'run_h', artifact_type: 'branch', uri: 'b', metadata_json: JSON.stringify({ sha: HEAD }), created_at: 'x' }).execute();
      await store.db.updateTable('run_states').set({ current_state: 'CI_WAIT' }).where('run_id', '=', 'run_h').execute();
      await applyEvent(store.db, 'run_h', { event: { type: 'command.pause', actor: 'operator' } });

      const bySync = await applyEvents(store.db, 'run_h', [
        { event: { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: HEAD, actor: 'sync' }, idempotencyKey: 'gh:rollup:7:c:failure', optional: true },
      ]);
      expect(bySync[0]).toMatchObject({ state: 'PAUSED', applied: false, reason: 'held' });
      const byWebhook = await inTransaction(store.db, async (trx) => {
        const view = await getDeliveryRun(trx, 'run_h');
        return recordDeliveryEvent(trx, view!, { event: { type: 'github.review.submitted', state: 'changes_requested', pr_number: 7, actor: 'webhook' }, idempotencyKey: 'gh:review:1' }, new Date().toISOString());
      });
      expect(byWebhook).toMatchObject({ state: 'PAUSED', applied: false, reason: 'held' });
      const held = await getRun(store.db, 'run_h');
      expect(held?.state).toMatchObject({ current_state: 'PAUSED', last_active_state: 'CI_WAIT' });
      expect(JSON.parse(held!.state.held_facts_json!)).toEqual({ check: 'failure', review: 'changes_requested' });

      const resumed = await applyEvent(store.db, 'run_h', { event: { type: 'command.resume', actor: 'operator' } });
      expect(resumed.state).toBe('ITERATING');
      expect((await getRun(store.db, 'run_h'))?.state.held_facts_json).toBeNull();
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
