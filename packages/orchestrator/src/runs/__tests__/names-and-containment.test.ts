import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun as storeCreateRun, getRun, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { approveOpenPr } from '../../pr-gate/approve-open-pr.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { runPreflight } from '../../workspace/run-preflight.js';
import { runAgentStep } from '../../agent/run-agent-step.js';
import { finishRun } from '../../workspace/finish-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { assertWorkspaceInsideRoot } from '../../workspace/workspace-containment.js';
import { createRun, importRuns } from '../create-run.js';
import { parseRunsFile } from '../parse-runs-file.js';

let tdb: TestDatabase;
let app: TestApp;
afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location);
  mkdirSync(app.ctx.paths.workspaceRoot, { recursive: true });
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

describe('owner and repository names (issue 13)', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['.', 'r', /owner: must not be made only of dots/],
    ['..', 'r', /owner: must not be made only of dots/],
    ['o', '...', /repo: must not be made only of dots/],
    ['', 'r', /owner: is required/],
    ['o', 'a/b', /repo: must contain only letters, digits/],
    ['o/..', 'r', /owner: must contain only letters, digits/],
    ['o', 'white space', /repo: must contain only letters, digits/],
    ['o', 'ünïcode', /repo: must contain only letters, digits/],
    ['x'.repeat(40), 'r', /owner: must be at most 39 characters/],
    ['o', 'y'.repeat(101), /repo: must be at most 100 characters/],
  ];
  it.each(bad)('createRun refuses owner %j repo %j and writes nothing', async (owner, repo, message) => {
    await expect(createRun(app.ctx, { owner, repo, prompt_version: 'v1', run_id: 'run_bad' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    expect(await getRun(app.ctx.db, 'run_bad')).toBeUndefined();
  });

  it('createRun accepts the names GitHub accepts, dots inside included', async () => {
    for (const [owner, repo] of [['octo-org', 'widgets'], ['a.b', '.github'], ['x'.repeat(39), 'r_1.js']]) {
      const created = await createRun(app.ctx, { owner: owner!, repo: repo!, prompt_version: 'v1' });
      expect(created.workspace_dir.startsWith(`${app.ctx.paths.workspaceRoot}/`)).toBe(true);
    }
  });

  it('importRuns names the line of a bad entry and imports nothing', async () => {
    const text = ['{"owner":"o","repo":"r","prompt_version":"v1","run_id":"run_a"}', '', '{"owner":"..","repo":"r","prompt_version":"v1"}'].join('\n');
    const entries = parseRunsFile(text, 'runs.jsonl');
    const error = await importRuns(app.ctx, entries.map((e) => e.value), entries.map((e) => e.where)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input', message: 'invalid run at runs.jsonl line 3: owner: must not be made only of dots (GitHub refuses . and ..)' });
    expect(await getRun(app.ctx.db, 'run_a')).toBeUndefined();
  });

  it('importRuns names both lines of a repeated run id', async () => {
    const entries = parseRunsFile('[\n  {"owner":"o","repo":"r","prompt_version":"v","run_id":"run_x"},\n  {"owner":"o","repo":"s","prompt_version":"v","run_id":"run_x"}\n]', 'runs.json');
    await expect(importRuns(app.ctx, entries.map((e) => e.value), entries.map((e) => e.where))).rejects.toMatchObject({
      message: 'invalid run at runs.json line 3 (entry #2): run_id run_x is already used at runs.json line 2 (entry #1)',
    });
  });
});

describe('parseRunsFile errors never echo the file (issue 13)', () => {
  const SECRET = 'ghp_' + 'S3CRET'.repeat(6);
  it.each([
    ['a JSONL line that is not JSON', `{"owner":"o","repo":"r","prompt_version":"v1"}\n${SECRET} is not json\n`, /^invalid JSON: f\.jsonl line 2, column 1: unexpected character \(not a JSON value\)\. /],
    ['a JSONL line cut short', `{"owner":"o","repo":"${SECRET}"`, /^invalid JSON: f\.jsonl line 1, column \d+: expected ',' or '}' after a property value|the text ends too early/],
    ['an array with a missing comma', `[\n {"a":"${SECRET}"}\n {"b":1}\n]`, /^invalid JSON: f\.jsonl line 3, column 2: expected ',' or '\]' after an array element\./],
    ['an array with a bare word', `[\n  ${SECRET}\n]`, /^invalid JSON: f\.jsonl line 2, column 3: unexpected character/],
    ['a control character in a string', `{"a":"${SECRET}\u0001"}`, /line 1, column \d+: control character inside a string/],
  ])('%s names the line and the problem only', (_name, text, message) => {
    let error: unknown;
    try {
      parseRunsFile(text, 'f.jsonl');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'invalid_json', message: expect.stringMatching(message) });
    expect((error as Error).message).not.toContain('S3CRET');
    expect((error as Error).message).not.toContain('ghp_');
  });

  it('findJsonSyntaxError agrees with JSON.parse on what is valid', async () => {
    const { findJsonSyntaxError } = await import('../json-syntax-error.js');
    const samples = ['{}', '[]', ' [1, -2.5e3, "x\\u00e9\\n", true, false, null, {"a": [{}]}] ', '{"a":1,}', '[1 2]', '01', '-', '1.', '"\\x"', '"\t"', 'nul', '{"a" 1}', '[1]x', '', '   ', '"\\ud83d\\ude00"', '{"a":{"b":[[]]}}'];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect([s, findJsonSyntaxError(s) === null]).toEqual([s, valid]);
    }
  });
});

describe('a run whose workspace lies outside the root is refused by every command (issue 13)', () => {
  async function dotDotRun(runId = 'run_dotdot'): Promise<string> {
    // A run stored before names were validated: owner `..` puts its workspace next to the root, not in it. The store
    // refuses such a path now, so the row is written the way an older build (or a hand edit) left it.
    const workspaceDir = resolve(app.ctx.paths.workspaceRoot, '..', '..', runId);
    await storeCreateRun(app.ctx.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir }, app.clock);
    await app.ctx.db.updateTable('runs').set({ owner: '..', repo: '..', workspace_rel: `../../${runId}` }).where('run_id', '=', runId).execute();
    mkdirSync(workspaceDir, { recursive: true });
    return runId;
  }

  it('assertWorkspaceInsideRoot refuses the .. run with one line and returns the real path of a good one', async () => {
    const runId = await dotDotRun();
    const run = (await getRun(app.ctx.db, runId))!.run;
    const error = await assertWorkspaceInsideRoot(app.ctx, run).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'refused', message: expect.stringContaining(`run ${runId} has workspace "../../${runId}", outside the workspace root`) });
    expect((error as Error).message.split('\n')).toHaveLength(1);
    const good = join(app.ctx.paths.workspaceRoot, 'o', 'r', 'run_ok');
    await expect(assertWorkspaceInsideRoot(app.ctx, { run_id: 'run_ok', workspace_dir: good })).resolves.toBe(good);
  });

  it('assertWorkspaceInsideRoot follows a symlink planted inside the root', async () => {
    const outside = tempDir('agentpr-outside-');
    mkdirSync(join(app.ctx.paths.workspaceRoot, 'o', 'r'), { recursive: true });
    symlinkSync(outside, join(app.ctx.paths.workspaceRoot, 'o', 'r', 'run_link'));
    await expect(assertWorkspaceInsideRoot(app.ctx, { run_id: 'run_link', workspace_dir: join(app.ctx.paths.workspaceRoot, 'o', 'r', 'run_link', 'sub') })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('(really '),
    });
  });

  it('run-agent-step (even with --skip-preflight), run-finish and run-prepare refuse the .. run and record nothing', async () => {
    const runId = await dotDotRun();
    const before = (await listEvents(app.ctx.db, runId, { limit: 10 })).length;
    await expect(runAgentStep(app.ctx, { runId, prompt: 'x', skipPreflight: true })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('outside the workspace root') });
    await expect(finishRun(app.ctx, { runId, changes: 'x', commitTitle: 'feat: x' })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('outside the workspace root') });
    await expect(prepareRun(app.ctx, { runId, upstreamUrl: '/nonexistent', forkUrl: '/nonexistent', forkOwner: 'me' })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('outside the workspace root') });
    expect((await listEvents(app.ctx.db, runId, { limit: 10 })).length).toBe(before);
    expect((await getRun(app.ctx.db, runId))!.state.current_state).toBe('QUEUED');
  });

  it('runPreflight, requestOpenPr and approveOpenPr refuse the .. run and record nothing', async () => {
    const runId = await dotDotRun();
    const before = (await listEvents(app.ctx.db, runId, { limit: 10 })).length;
    await expect(runPreflight(app.ctx, { runId, skipNetworkCheck: true })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('outside the workspace root') });
    await expect(requestOpenPr(app.ctx, { runId, title: 't', body: 'b' })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('outside the workspace root') });
    const requestFile = join(tempDir('agentpr-req-'), 'req.json');
    writeFileSync(requestFile, '{}');
    const unreachable = { client: async () => { throw new Error('must not be reached'); } };
    await expect(approveOpenPr({ ...app.ctx, github: unreachable }, { runId, requestFile, confirmToken: 'X', confirm: true })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('outside the workspace root'),
    });
    expect((await listEvents(app.ctx.db, runId, { limit: 10 })).length).toBe(before);
  });
});
