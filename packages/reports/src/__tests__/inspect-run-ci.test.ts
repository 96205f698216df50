import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent, createRun, openStore, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { inspectRun } from '../index.js';

const SHA = 'c'.repeat(40);
const TO_CI_WAIT: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: SHA },
  { type: 'command.pr.linked', pr_number: 7 },
];

describe.each(dialectsUnderTest())('inspectRun shows the latest CI verdict, on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;
  afterAll(() => cleanupTempDirs());
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
    await createRun(store.db, { runId: 'run_ci', owner: 'octo', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_ci' });
    for (const event of TO_CI_WAIT) await applyEvent(store.db, 'run_ci', { event });
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  const apply = (event: RunEvent) => applyEvent(store.db, 'run_ci', { event });

  it('inspectRun has no CI verdict before GitHub said anything about the push', async () => {
    expect((await inspectRun(store, { runId: 'run_ci' })).latest_ci).toBeNull();
  });

  it('inspectRun names the failing checks the red verdict recorded, cleaned for a terminal', async () => {
    await apply({ type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: SHA, actor: 'sync', failing_checks: ['lint', 'test\u001b[2J (3.12)', 5] } as RunEvent);
    expect((await inspectRun(store, { runId: 'run_ci' })).latest_ci).toMatchObject({
      conclusion: 'failure',
      red: true,
      pr_number: 7,
      head_sha: SHA,
      failing_checks: ['lint', 'test [2J (3.12)'],
    });
  });

  it('inspectRun says a red verdict recorded no names, and forgets the verdict once the run pushed again', async () => {
    await apply({ type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: SHA, actor: 'webhook' });
    expect((await inspectRun(store, { runId: 'run_ci' })).latest_ci).toMatchObject({ red: true, failing_checks: null });
    for (const event of [{ type: 'command.start.implementation' }, { type: 'command.local.validation.passed' }, { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'd'.repeat(40) }] as RunEvent[]) {
      await apply(event);
    }
    expect((await inspectRun(store, { runId: 'run_ci' })).latest_ci).toBeNull();
  });
});
