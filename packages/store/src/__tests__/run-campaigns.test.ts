import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { campaignHasRuns, createRun, createRuns, listRunCampaigns, openStore, type NewRun } from '../index.js';

afterAll(() => cleanupTempDirs());

function newRun(runId: string, campaign: string | null): NewRun {
  return { runId, owner: 'octo', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign };
}

describe.each(dialectsUnderTest())('the campaigns runs were created under, on %s', (kind) => {
  it('listRunCampaigns names each campaign once, in name order, without runs that have none; campaignHasRuns matches exactly', async () => {
    const tdb = await freshDatabase(kind);
    const store = await openStore(tdb.location);
    try {
      expect(await listRunCampaigns(store.db)).toEqual([]);
      await createRuns(store.db, [newRun('run_1', 'winter'), newRun('run_2', 'autumn'), newRun('run_3', null), newRun('run_4', 'winter'), newRun('run_5', 'spring-cleanup')]);
      await createRun(store.db, newRun('run_6', 'autumn'));
      expect(await listRunCampaigns(store.db)).toEqual(['autumn', 'spring-cleanup', 'winter']);
      expect(await listRunCampaigns(store.db, { limit: 2 })).toEqual(['autumn', 'spring-cleanup']);
      expect(await campaignHasRuns(store.db, 'winter')).toBe(true);
      expect(await campaignHasRuns(store.db, 'Winter')).toBe(false);
      expect(await campaignHasRuns(store.db, 'summer')).toBe(false);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
