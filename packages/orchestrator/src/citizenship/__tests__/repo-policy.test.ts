import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DISCLOSURE, type AiStance } from '@agentpr/policy';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { latestRepoPolicyCheck } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { NO_GITHUB_TOKEN } from '../../github-sync/require-github.js';
import { checkRepoPolicy } from '../repo-policy.js';
import { contentRequests, corpusTexts, stubClient } from './repo-policy-stub.js';

afterAll(() => cleanupTempDirs());

const HOUR = 3_600_000;
let stub: GitHubStub;
let tdb: TestDatabase;
let app: TestApp;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'stub-token' });
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'operator', { github: stubClient(stub) });
});

afterEach(async () => {
  await app.close();
  await tdb.drop();
  await stub.close();
});

const EXPECTED_ACTION: Readonly<Record<AiStance, string>> = {
  forbidden: 'skip',
  issue_first: 'require_issue',
  disclosure_required: 'disclose',
  allowed: 'disclose',
  unknown: 'disclose',
};

describe('checkRepoPolicy against the GitHub stand-in', () => {
  for (const stance of ['forbidden', 'issue_first', 'disclosure_required', 'allowed', 'unknown'] as const) {
    it(`reads a ${stance} repository from the corpus, quotes it, stores it and names the default action ${EXPECTED_ACTION[stance]}`, async () => {
      const sample = corpusTexts(stance)[0]!;
      stub.addRepo('acme', 'widgets');
      stub.addFile('acme', 'widgets', 'README.md', '# widgets');
      stub.addFile('acme', 'widgets', sample.sourcePath, sample.text);
      const result = await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' });
      expect(result).toMatchObject({ kind: 'classified', owner: 'acme', repo: 'widgets', stance, action: EXPECTED_ACTION[stance], campaign: 'default', recheckHours: 24 });
      expect(result.documents.map((d) => d.path)).toContain(sample.sourcePath);
      if (stance === 'unknown') expect(result.evidence).toEqual([]);
      else {
        expect(result.evidence.length).toBeGreaterThan(0);
        for (const e of result.evidence) expect(sample.text).toContain(e.quote);
      }
      expect(result.disclosure).toBe(EXPECTED_ACTION[stance] === 'skip' ? null : DEFAULT_DISCLOSURE);
      expect((await latestRepoPolicyCheck(app.ctx.db, 'ACME', 'widgets'))?.stance).toBe(stance);
      expect(stub.openApiViolations).toEqual([]);
    });
  }

  it('hands on the agent instruction files, capped, and skips a symlinked one without following it', async () => {
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', 'AGENTS.md', `Run \`npm test\` before pushing.\n${'x'.repeat(20_000)}`);
    stub.addFile('acme', 'widgets', 'secret.txt', 'do not read me');
    stub.addSymlink('acme', 'widgets', 'CLAUDE.md', 'secret.txt');
    stub.addFile('acme', 'widgets', '.github/copilot-instructions.md', 'Prefer small functions.');
    const result = await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' });
    expect(result.agentInstructions.map((a) => [a.path, a.truncated])).toEqual([
      ['.github/copilot-instructions.md', false],
      ['AGENTS.md', true],
    ]);
    expect(Buffer.byteLength(result.agentInstructions[1]!.text)).toBeLessThanOrEqual(16 * 1024);
    expect(JSON.stringify(result)).not.toContain('do not read me');
    expect(result.documents.map((d) => d.path)).not.toContain('CLAUDE.md');
  });

  it('lists a contribution document that cannot be read as text (binary, not UTF-8) as not read, and classifies the rest', async () => {
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0xfe, 0x00]));
    stub.addFile('acme', 'widgets', 'CODE_OF_CONDUCT.md', 'Be kind.');
    const result = await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' });
    expect(result).toMatchObject({ stance: 'unknown', unread: [{ path: 'CONTRIBUTING.md', reason: 'not_text' }] });
    expect(result.documents.map((d) => d.path)).toEqual(['CODE_OF_CONDUCT.md']);
  });

  it('reuses a stored classification younger than recheck_hours, reads again with --refresh or once it is older', async () => {
    const forbidden = corpusTexts('forbidden')[0]!;
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', 'Please add tests.');
    expect((await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' })).stance).toBe('unknown');
    const reads = contentRequests(stub);
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', forbidden.text);
    app.clock.advance(23 * HOUR);
    const reused = await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' });
    expect(reused).toMatchObject({ kind: 'reused', stance: 'unknown' });
    expect(contentRequests(stub)).toBe(reads);
    expect(await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets', refresh: true })).toMatchObject({ kind: 'classified', stance: 'forbidden' });
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', 'Please add tests.');
    app.clock.advance(25 * HOUR);
    expect(await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets' })).toMatchObject({ kind: 'classified', stance: 'unknown' });
  });

  it('names the action of the campaign asked for, from the policy file', async () => {
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { careful: { ai_policy: { actions: { unknown: 'skip' }, recheck_hours: 2 } } } }));
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', 'Please add tests.');
    expect(await checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets', campaign: 'careful' })).toMatchObject({
      stance: 'unknown',
      campaign: 'careful',
      action: 'skip',
      disclosure: null,
      recheckHours: 2,
    });
  });

  it('refuses bad input, an unknown campaign and a missing token with one line, and stores nothing', async () => {
    stub.addRepo('acme', 'widgets');
    await expect(checkRepoPolicy(app.ctx, { owner: '', repo: 'widgets' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^invalid repo-policy input: owner: is required/) });
    await expect(checkRepoPolicy(app.ctx, { owner: 'acme', repo: '../etc' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'widgets', campaign: 'nope' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('unknown campaign nope') });
    const noToken = { ...app.ctx, github: { client: async () => undefined } };
    await expect(checkRepoPolicy(noToken, { owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({ code: 'config', message: NO_GITHUB_TOKEN });
    expect(await latestRepoPolicyCheck(app.ctx.db, 'acme', 'widgets')).toBeUndefined();
    expect(contentRequests(stub)).toBe(0);
  });

  it('says a repository GitHub does not know was not found', async () => {
    await expect(checkRepoPolicy(app.ctx, { owner: 'acme', repo: 'missing' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('acme/missing was not found') });
  });
});
