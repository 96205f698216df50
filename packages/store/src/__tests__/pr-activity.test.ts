import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  applyEvent,
  claimFollowup,
  claimStaleClose,
  createRun,
  getPrActivity,
  listPrActivity,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  openStore,
  recordFollowupComment,
  recordPrOpened,
  recordRejection,
  runsWithUnrecordedPr,
  type Clock,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number): Clock => () => new Date(T0 + ms);
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const HOUR = 3_600_000;

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

type RunOptions = { owner?: string; repo?: string; campaign?: string };

async function runWithPr(store: OpenDatabase, runId: string, pr: number | null, options: RunOptions = {}): Promise<void> {
  const owner = options.owner ?? 'Acme';
  const repo = options.repo ?? 'Widgets';
  await createRun(store.db, { runId, owner, repo, promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign: options.campaign ?? 'c1' }, at(0));
  if (pr === null) return;
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: 'c' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: 'h' },
    { type: 'command.pr.linked', pr_number: pr },
  ] as const) await applyEvent(store.db, runId, { event: { ...event, actor: 'operator' } }, at(0));
}

const opened = (runId: string, prNumber: number, ms = 0, extra: { owner?: string; repo?: string; campaign?: string | null } = {}) => ({
  runId,
  owner: extra.owner ?? 'Acme',
  repo: extra.repo ?? 'Widgets',
  campaign: extra.campaign === undefined ? 'c1' : extra.campaign,
  prNumber,
  prUrl: null as string | null,
  openedAt: iso(ms),
});

describe.each(dialectsUnderTest())('pr activity on %s', (kind) => {
  it('recordPrOpened is idempotent for one PR, fills a missing URL, and starts afresh for another PR of the run', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_a', 7);
      const first = await recordPrOpened(store.db, opened('run_a', 7, 0), at(0));
      expect(first).toMatchObject({ run_id: 'run_a', owner_key: 'acme', repo_key: 'widgets', campaign: 'c1', pr_number: 7, pr_url: null, opened_at: iso(0) });
      await notePrChecked(store.db, { runId: 'run_a', prNumber: 7 }, { firstResponseAt: iso(HOUR), lastMaintainerActivityAt: iso(HOUR), checkedAt: iso(HOUR) }, at(HOUR));
      const again = await recordPrOpened(store.db, { ...opened('run_a', 7, 5 * HOUR), prUrl: 'https://github.com/Acme/Widgets/pull/7' }, at(5 * HOUR));
      expect(again).toMatchObject({ opened_at: iso(0), pr_url: 'https://github.com/Acme/Widgets/pull/7', first_response_at: iso(HOUR) });
      const other = await recordPrOpened(store.db, opened('run_a', 9, 6 * HOUR), at(6 * HOUR));
      expect(other).toMatchObject({ pr_number: 9, opened_at: iso(6 * HOUR), pr_url: null, first_response_at: null, checked_at: null });
    });
  });

  it('notePrChecked keeps the earliest first response and the latest activity; writes for a replaced PR change nothing', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_a', 7);
      await recordPrOpened(store.db, opened('run_a', 7), at(0));
      const key = { runId: 'run_a', prNumber: 7 };
      await notePrChecked(store.db, key, { firstResponseAt: iso(3 * HOUR), lastMaintainerActivityAt: iso(4 * HOUR), checkedAt: iso(5 * HOUR) }, at(5 * HOUR));
      await notePrChecked(store.db, key, { firstResponseAt: iso(2 * HOUR), lastMaintainerActivityAt: iso(2 * HOUR), checkedAt: iso(6 * HOUR) }, at(6 * HOUR));
      await notePrChecked(store.db, key, { firstResponseAt: null, lastMaintainerActivityAt: null, checkedAt: iso(7 * HOUR) }, at(7 * HOUR));
      expect(await getPrActivity(store.db, 'run_a')).toMatchObject({ first_response_at: iso(2 * HOUR), last_maintainer_activity_at: iso(4 * HOUR), checked_at: iso(7 * HOUR) });
      await notePrChecked(store.db, { runId: 'run_a', prNumber: 99 }, { firstResponseAt: iso(HOUR), lastMaintainerActivityAt: iso(9 * HOUR), checkedAt: iso(9 * HOUR) }, at(9 * HOUR));
      await markPrMerged(store.db, { runId: 'run_a', prNumber: 99 }, iso(9 * HOUR), at(9 * HOUR));
      expect(await getPrActivity(store.db, 'run_a')).toMatchObject({ first_response_at: iso(2 * HOUR), checked_at: iso(7 * HOUR), merged_at: null });
    });
  });

  it('claimFollowup and claimStaleClose succeed once; the comment id, the close and the rejection are recorded', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_a', 7);
      await recordPrOpened(store.db, opened('run_a', 7), at(0));
      const key = { runId: 'run_a', prNumber: 7 };
      expect(await claimFollowup(store.db, key, iso(HOUR), at(HOUR))).toBe(true);
      expect(await claimFollowup(store.db, key, iso(2 * HOUR), at(2 * HOUR))).toBe(false);
      await recordFollowupComment(store.db, key, '4242', at(HOUR));
      expect(await claimStaleClose(store.db, key, iso(3 * HOUR), at(3 * HOUR))).toBe(true);
      expect(await claimStaleClose(store.db, key, iso(4 * HOUR), at(4 * HOUR))).toBe(false);
      await markPrClosed(store.db, key, iso(3 * HOUR), at(3 * HOUR));
      await markPrClosed(store.db, key, iso(8 * HOUR), at(8 * HOUR));
      await recordRejection(store.db, key, { category: 'no_response', evidence: 'x'.repeat(5000) }, at(3 * HOUR));
      const row = await getPrActivity(store.db, 'run_a');
      expect(row).toMatchObject({ followup_at: iso(HOUR), followup_comment_id: '4242', stale_closed_at: iso(3 * HOUR), closed_at: iso(3 * HOUR), rejection_category: 'no_response' });
      expect(row!.rejection_evidence).toHaveLength(1000);
    });
  });

  it('listPrActivity: open PRs and unclassified closes, least recently checked first, throttled by checkedBefore', async () => {
    await withStore(kind, async (store) => {
      for (const [runId, pr] of [['run_open', 1], ['run_checked', 2], ['run_merged', 3], ['run_closed', 4], ['run_classified', 5]] as const) {
        await runWithPr(store, runId, pr);
        await recordPrOpened(store.db, opened(runId, pr), at(0));
      }
      await notePrChecked(store.db, { runId: 'run_checked', prNumber: 2 }, { firstResponseAt: null, lastMaintainerActivityAt: null, checkedAt: iso(2 * HOUR) }, at(2 * HOUR));
      await markPrMerged(store.db, { runId: 'run_merged', prNumber: 3 }, iso(HOUR), at(HOUR));
      await markPrClosed(store.db, { runId: 'run_closed', prNumber: 4 }, iso(HOUR), at(HOUR));
      await markPrClosed(store.db, { runId: 'run_classified', prNumber: 5 }, iso(HOUR), at(HOUR));
      await recordRejection(store.db, { runId: 'run_classified', prNumber: 5 }, { category: 'duplicate', evidence: 'duplicate of #12' }, at(HOUR));
      const all = await listPrActivity(store.db, { limit: 10 });
      expect(all.map((r) => r.run_id)).toEqual(['run_closed', 'run_open', 'run_checked']);
      expect(all[0]).toMatchObject({ owner: 'Acme', repo: 'Widgets', current_state: 'CI_WAIT', pr_number: 4 });
      expect((await listPrActivity(store.db, { limit: 10, checkedBefore: iso(HOUR) })).map((r) => r.run_id)).toEqual(['run_closed', 'run_open']);
      expect((await listPrActivity(store.db, { limit: 1 })).map((r) => r.run_id)).toEqual(['run_closed']);
    });
  });

  it('runsWithUnrecordedPr: active runs with a PR and no row for it', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_linked', 7);
      await runWithPr(store, 'run_recorded', 8);
      await runWithPr(store, 'run_relinked', 10);
      await runWithPr(store, 'run_no_pr', null);
      await runWithPr(store, 'run_done', 11);
      await applyEvent(store.db, 'run_done', { event: { type: 'command.run.skip', reason_code: 'stale', message: 'm', actor: 'operator' } }, at(0));
      await recordPrOpened(store.db, opened('run_recorded', 8), at(0));
      await recordPrOpened(store.db, opened('run_relinked', 9), at(0));
      const found = await runsWithUnrecordedPr(store.db, 10);
      expect(found.map((r) => r.run_id).sort()).toEqual(['run_linked', 'run_relinked']);
      expect(found.find((r) => r.run_id === 'run_linked')).toEqual({ run_id: 'run_linked', owner: 'Acme', repo: 'Widgets', campaign: 'c1', pr_number: 7 });
    });
  });
});
