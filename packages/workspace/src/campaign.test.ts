import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { DEFAULT_COMMIT_BODY_TEMPLATE, defaultFeatureBranch, loadCampaign } from './campaign.js';
import { WorkspaceError } from './errors.js';

afterEach(() => cleanupTempDirs());

function campaignDir(json?: string): string {
  const dir = tempDir();
  if (json !== undefined) writeFileSync(join(dir, 'campaign.json'), json);
  return dir;
}

async function failure(dir: string): Promise<WorkspaceError> {
  const error = await loadCampaign(dir).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

describe('loadCampaign', () => {
  it('loadCampaign without campaign.json returns the defaults, which hold no product-specific text', async () => {
    const dir = campaignDir();
    const campaign = await loadCampaign(dir);
    expect(campaign).toMatchObject({ name: 'default', branch_prefix: 'agentpr/', commit_body_template: DEFAULT_COMMIT_BODY_TEMPLATE, default_commit_title: undefined, loaded: false });
    expect(campaign.files.prompt_template).toBe(join(dir, 'prompt_template.md'));
  });

  it('loadCampaign reads the branch prefix, body template and default title', async () => {
    const campaign = await loadCampaign(campaignDir(JSON.stringify({ name: 'c', branch_prefix: 'bot/int-', commit_body_template: '{changes}', default_commit_title: 'feat: integrate' })));
    expect(campaign).toMatchObject({ name: 'c', branch_prefix: 'bot/int-', commit_body_template: '{changes}', default_commit_title: 'feat: integrate', loaded: true });
  });

  it('loadCampaign defaults allow_workflow_changes to false and reads true when the campaign opts in', async () => {
    expect((await loadCampaign(campaignDir())).allow_workflow_changes).toBe(false);
    expect((await loadCampaign(campaignDir(JSON.stringify({ name: 'c' })))).allow_workflow_changes).toBe(false);
    expect((await loadCampaign(campaignDir(JSON.stringify({ allow_workflow_changes: true })))).allow_workflow_changes).toBe(true);
  });

  it('loadCampaign with a non-boolean allow_workflow_changes names the field', async () => {
    const error = await failure(campaignDir(JSON.stringify({ allow_workflow_changes: 'yes' })));
    expect(error.code).toBe('campaign_invalid');
    expect(error.message).toContain('allow_workflow_changes: ');
  });

  it('loadCampaign with invalid JSON fails with a message starting "invalid JSON:"', async () => {
    const error = await failure(campaignDir('{nope'));
    expect(error.code).toBe('campaign_invalid');
    expect(error.message).toMatch(/^invalid JSON: .*campaign\.json: /);
  });

  it('loadCampaign names the bad field as path: message', async () => {
    const error = await failure(campaignDir(JSON.stringify({ branch_prefix: '../x', extra: 1 })));
    expect(error.message).toContain('branch_prefix: must start with a letter or digit');
    expect(error.message).toContain('extra: ');
  });

  it('defaultFeatureBranch is <prefix><YYYYmmdd-HHMMSS>-<run_id> in UTC', () => {
    expect(defaultFeatureBranch('agentpr/', 'run_1', new Date('2026-02-25T00:47:07.861Z'))).toBe('agentpr/20260225-004707-run_1');
  });
});
