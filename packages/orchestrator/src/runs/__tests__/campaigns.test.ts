import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun as storeCreateRun, listEvents, listRuns as storeListRuns } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { knownCampaigns } from '../campaigns.js';
import { createRun, importRuns } from '../create-run.js';
import { parseRunsFile } from '../parse-runs-file.js';

afterAll(() => cleanupTempDirs());

describe.each(dialectsUnderTest())('campaigns are known before runs name them (issue 17), on %s', (kind) => {
  let tdb: TestDatabase;
  let app: TestApp;
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location);
  });
  afterEach(async () => {
    await app.close();
    await tdb.drop();
  });

  function usePolicy(policy: unknown): void {
    writeFileSync(app.ctx.paths.policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy));
  }

  function useCampaignDir(name: string): void {
    mkdirSync(app.ctx.paths.campaignDir, { recursive: true });
    writeFileSync(`${app.ctx.paths.campaignDir}/campaign.json`, JSON.stringify({ name }));
  }

  async function nothingCreated(): Promise<void> {
    expect(await storeListRuns(app.ctx.db, { limit: 10 })).toEqual([]);
  }

  it('knownCampaigns lists the policy\'s campaigns, the campaign folder in use, default and the campaigns with runs, once each, by name', async () => {
    usePolicy({ campaigns: { renovate: {}, 'Spring-Cleanup': { duplicates: { keywords: ['cleanup'] } } } });
    useCampaignDir('titlecase');
    await storeCreateRun(app.ctx.db, { runId: 'run_old', owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w/old', campaign: 'legacy' });
    await storeCreateRun(app.ctx.db, { runId: 'run_x', owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w/x', campaign: 'renovate' });
    expect(await knownCampaigns(app.ctx)).toEqual([
      { name: 'default', sources: ['default'] },
      { name: 'legacy', sources: ['runs'] },
      { name: 'renovate', sources: ['policy', 'runs'] },
      { name: 'Spring-Cleanup', sources: ['policy'] },
      { name: 'titlecase', sources: ['campaign_dir'] },
    ]);
  });

  it('create-run --campaign with an unknown name is refused in one line naming the known ones, and creates nothing', async () => {
    usePolicy({ campaigns: { renovate: {} } });
    const refused = createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_a', campaign: 'renovat' });
    await expect(refused).rejects.toMatchObject({
      code: 'invalid_input',
      message:
        'invalid run: unknown campaign renovat; known: default, renovate; add it to the policy file\'s campaigns section or run with --campaign-dir pointing at its folder',
    });
    await nothingCreated();
    expect(await listEvents(app.ctx.db, 'run_a', { limit: 10 })).toEqual([]);
  });

  it('create-run records a known campaign in its known spelling; the folder in use, default and campaigns with runs are known too', async () => {
    usePolicy({ campaigns: { Renovate: {} } });
    useCampaignDir('titlecase');
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_a', campaign: 'renovate' });
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_b', campaign: 'TitleCase' });
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_c', campaign: 'default' });
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_d' });
    await storeCreateRun(app.ctx.db, { runId: 'run_old', owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w/old', campaign: 'legacy' });
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_e', campaign: 'legacy' });
    const campaigns = Object.fromEntries((await storeListRuns(app.ctx.db, { limit: 10 })).map((r) => [r.run_id, r.campaign]));
    expect(campaigns).toEqual({ run_a: 'Renovate', run_b: 'titlecase', run_c: 'default', run_d: 'titlecase', run_old: 'legacy', run_e: 'legacy' });
  });

  it('a campaign name is checked with the policy\'s rule for campaign keys', async () => {
    for (const [campaign, problem] of [
      [' ', /campaign: must not be blank/],
      ['two words', /campaign: must be 1-64 letters, digits, "\.", "_" or "-", starting with a letter or digit/],
      ['-dash', /campaign: must be 1-64/],
      ['x'.repeat(65), /campaign: must be 1-64/],
    ] as const) {
      await expect(createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', campaign })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(problem) });
    }
    await nothingCreated();
  });

  it('without --campaign create-run does not read the policy; with one a broken policy is its own one-line error', async () => {
    usePolicy('{ not json');
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_a' });
    await expect(createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_b', campaign: 'renovate' })).rejects.toMatchObject({ code: 'invalid_json' });
    expect((await storeListRuns(app.ctx.db, { limit: 10 })).map((r) => r.run_id)).toEqual(['run_a']);
  });

  it('import-runs takes a campaign per entry (default: the folder in use); an unknown one names its line and nothing is imported', async () => {
    usePolicy({ campaigns: { renovate: {}, autumn: {} } });
    useCampaignDir('spring');
    const file = [
      '{"owner":"o","repo":"a","prompt_version":"v1","run_id":"run_a","campaign":"renovate"}',
      '{"owner":"o","repo":"b","prompt_version":"v1","run_id":"run_b"}',
      '{"owner":"o","repo":"c","prompt_version":"v1","run_id":"run_c","campaign":"AUTUMN"}',
    ].join('\n');
    const entries = parseRunsFile(file, 'runs.jsonl');
    await importRuns(app.ctx, entries.map((e) => e.value), entries.map((e) => e.where));
    const campaigns = Object.fromEntries((await storeListRuns(app.ctx.db, { limit: 10 })).map((r) => [r.run_id, r.campaign]));
    expect(campaigns).toEqual({ run_a: 'renovate', run_b: 'spring', run_c: 'autumn' });

    const bad = parseRunsFile(
      ['{"owner":"o","repo":"d","prompt_version":"v1","run_id":"run_d"}', '{"owner":"o","repo":"e","prompt_version":"v1","run_id":"run_e","campaign":"winter"}'].join('\n'),
      'more.jsonl',
    );
    await expect(importRuns(app.ctx, bad.map((e) => e.value), bad.map((e) => e.where))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^invalid run at more\.jsonl line 2: unknown campaign winter; known: autumn, default, renovate, spring; add it to the policy file's campaigns section/),
    });
    const invalid = parseRunsFile('{"owner":"o","repo":"f","prompt_version":"v1","campaign":"no/slash"}\n', 'x.jsonl');
    await expect(importRuns(app.ctx, invalid.map((e) => e.value), invalid.map((e) => e.where))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^invalid run at x\.jsonl line 1: campaign: must be 1-64 letters/),
    });
    expect((await storeListRuns(app.ctx.db, { limit: 10 })).map((r) => r.run_id).sort()).toEqual(['run_a', 'run_b', 'run_c']);
  });
});
