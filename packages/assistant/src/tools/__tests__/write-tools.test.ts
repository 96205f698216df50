import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentprError } from '@agentpr/orchestrator';
import { getRun, listEvents, listRuns } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { ASSISTANT_TOOLS } from '../index.js';
import { accepts, apply, callTool, describeTool, runtime, seedRun, TO_STATE, toolApp, toolNamed, type ToolApp } from './tool-fixtures.js';

const tool = (name: string) => toolNamed(ASSISTANT_TOOLS, name);

let tdb: TestDatabase;
let app: ToolApp;
afterAll(() => cleanupTempDirs());

describe.each(dialectsUnderTest())('write tools on %s', (kind) => {
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await toolApp(tdb.location);
  });
  afterEach(async () => {
    await app.close();
    await tdb.drop();
  });

  const stateOf = async (runId: string) => (await getRun(app.ctx.db, runId))?.state.current_state;
  const eventCount = async (runId: string) => (await listEvents(app.ctx.db, runId, { limit: 100 })).length;

  it('pause_run describes exactly what will run and changes nothing; run pauses it and answers in the bot\'s words', async () => {
    await seedRun(app.ctx, 'run_45f3cbdcdc56', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    const events = await eventCount('run_45f3cbdcdc56');
    expect(await describeTool(tool('pause_run'), app.ctx, { run_id: 'run_45f3cbdcdc56' })).toBe('pause run_45f3cbdcdc56 (mem0ai/mem0), now IMPLEMENTING');
    expect(await stateOf('run_45f3cbdcdc56')).toBe('IMPLEMENTING');
    expect(await eventCount('run_45f3cbdcdc56')).toBe(events);
    const out = await callTool(tool('pause_run'), app.ctx, { run_id: 'run_45f3cbdcdc56' });
    expect(out.summary).toBe('run_45f3cbdcdc56: PAUSED (was IMPLEMENTING)');
    expect(out.data).toEqual({ run_id: 'run_45f3cbdcdc56', repo: 'mem0ai/mem0', outcome: 'applied', state: 'PAUSED', was: 'IMPLEMENTING' });
    expect(await stateOf('run_45f3cbdcdc56')).toBe('PAUSED');
  });

  it('every run tool\'s describe on an unknown run throws "Run … not found" and creates nothing', async () => {
    for (const name of ['pause_run', 'resume_run', 'drive_run']) {
      const failure = describeTool(tool(name), app.ctx, { run_id: 'run_nope' });
      await expect(failure).rejects.toBeInstanceOf(AgentprError);
      await expect(failure).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/^Run run_nope not found/) });
    }
    await expect(describeTool(tool('retry_run'), app.ctx, { run_id: 'run_nope', target_state: 'IMPLEMENTING' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await listRuns(app.ctx.db, { limit: 5 })).toEqual([]);
  });

  it('describe refuses what the state machine would refuse, with its reason: pausing twice, resuming a run that is not paused', async () => {
    await seedRun(app.ctx, 'run_a1', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    await expect(describeTool(tool('resume_run'), app.ctx, { run_id: 'run_a1' })).rejects.toMatchObject({
      code: 'refused',
      message: 'resume works only from PAUSED; run run_a1 is in IMPLEMENTING.',
    });
    await apply(app.ctx, 'run_a1', { type: 'command.pause' });
    await expect(describeTool(tool('pause_run'), app.ctx, { run_id: 'run_a1' })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/already PAUSED/) });
    expect(await stateOf('run_a1')).toBe('PAUSED');
  });

  it('resume_run names the state it returns to, by default where the run was paused from', async () => {
    await seedRun(app.ctx, 'run_a1', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    await apply(app.ctx, 'run_a1', { type: 'command.pause' });
    expect(await describeTool(tool('resume_run'), app.ctx, { run_id: 'run_a1' })).toBe('resume run_a1 (mem0ai/mem0) from PAUSED to IMPLEMENTING');
    expect(await describeTool(tool('resume_run'), app.ctx, { run_id: 'run_a1', target_state: 'DISCOVERY' })).toBe('resume run_a1 (mem0ai/mem0) from PAUSED to DISCOVERY');
    await expect(describeTool(tool('resume_run'), app.ctx, { run_id: 'run_a1', target_state: 'PUSHED' })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^resume cannot move run run_a1 from PAUSED to PUSHED; allowed targets: /),
    });
    const out = await callTool(tool('resume_run'), app.ctx, { run_id: 'run_a1' });
    expect(out.summary).toBe('run_a1: IMPLEMENTING (was PAUSED)');
    expect(await stateOf('run_a1')).toBe('IMPLEMENTING');
  });

  it('retry_run moves an escalated run back within the operator rules; a later stage is refused', async () => {
    await seedRun(app.ctx, 'run_a1', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    await apply(app.ctx, 'run_a1', { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'worker' });
    await expect(describeTool(tool('retry_run'), app.ctx, { run_id: 'run_a1', target_state: 'PUSHED' })).rejects.toMatchObject({ code: 'refused' });
    expect(await describeTool(tool('retry_run'), app.ctx, { run_id: 'run_a1', target_state: 'IMPLEMENTING' })).toBe('retry run_a1 (mem0ai/mem0) from NEEDS_HUMAN_REVIEW to IMPLEMENTING');
    const out = await callTool(tool('retry_run'), app.ctx, { run_id: 'run_a1', target_state: 'IMPLEMENTING' });
    expect(out.summary).toBe('run_a1: IMPLEMENTING (was NEEDS_HUMAN_REVIEW)');
    expect(accepts(tool('retry_run'), { run_id: 'run_a1' })).toBe(false);
    expect(accepts(tool('retry_run'), { run_id: 'run_a1', target_state: 'implementing' })).toBe(false);
  });

  it('a confirmed write whose run moved meanwhile is refused by the store with its reason, and changes nothing', async () => {
    await seedRun(app.ctx, 'run_a1', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    await apply(app.ctx, 'run_a1', { type: 'command.pause' });
    expect(await describeTool(tool('resume_run'), app.ctx, { run_id: 'run_a1' })).toContain('to IMPLEMENTING');
    await apply(app.ctx, 'run_a1', { type: 'command.resume' });
    const failure = callTool(tool('resume_run'), app.ctx, { run_id: 'run_a1' });
    await expect(failure).rejects.toBeInstanceOf(AgentprError);
    await expect(failure).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/resume works only from PAUSED/) });
    expect(await stateOf('run_a1')).toBe('IMPLEMENTING');
  });

  it('create_run describes the run it will make, then makes it in QUEUED with the CLI\'s defaults', async () => {
    expect(await describeTool(tool('create_run'), app.ctx, { owner: 'mem0ai', repo: 'mem0' })).toBe('create a run for mem0ai/mem0 (prompt version v1), state QUEUED');
    expect(await listRuns(app.ctx.db, { limit: 5 })).toEqual([]);
    const out = await callTool(tool('create_run'), app.ctx, { owner: 'mem0ai', repo: 'mem0', prompt_version: 'v2' });
    const { run_id } = out.data as { run_id: string };
    expect(run_id).toMatch(/^run_[0-9a-f]{12}$/);
    expect(out.summary).toBe(`created ${run_id} for mem0ai/mem0 (QUEUED)`);
    const found = await getRun(app.ctx.db, run_id);
    expect(found).toMatchObject({ run: { owner: 'mem0ai', repo: 'mem0', prompt_version: 'v2', mode: 'push_only', budget_json: '{}' }, state: { current_state: 'QUEUED' } });
  });

  it('create_run rejects names GitHub would refuse in its schema', () => {
    for (const bad of [{ owner: '..', repo: 'x' }, { owner: 'a/b', repo: 'x' }, { owner: 'o', repo: 'a b' }, { owner: 'o'.repeat(40), repo: 'x' }, { owner: 'o' }, { owner: 'o', repo: 'r', prompt_version: '' }]) {
      expect(accepts(tool('create_run'), bad), JSON.stringify(bad)).toBe(false);
    }
    expect(accepts(tool('create_run'), { owner: 'o.k', repo: '.github' })).toBe(true);
  });

  it('drive_run drives one tick through the app\'s tickRun; without it, it says where to drive the run instead', async () => {
    await seedRun(app.ctx, 'run_a1', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    expect(await describeTool(tool('drive_run'), app.ctx, { run_id: 'run_a1' })).toBe('drive one manager step of run_a1 (mem0ai/mem0), now IMPLEMENTING');
    await expect(callTool(tool('drive_run'), app.ctx, { run_id: 'run_a1' })).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('agentpr drive --run-id run_a1') });
    const ticked: string[] = [];
    const rt = runtime(async (_ctx, runId) => {
      ticked.push(runId);
      return { data: { action: 'run_agent_step' }, summary: `${runId}: ran run_agent_step` };
    });
    expect(await callTool(tool('drive_run'), app.ctx, { run_id: 'run_a1' }, rt)).toEqual({ data: { action: 'run_agent_step' }, summary: 'run_a1: ran run_agent_step' });
    expect(ticked).toEqual(['run_a1']);
    await expect(callTool(tool('drive_run'), app.ctx, { run_id: 'run_nope' }, rt)).rejects.toMatchObject({ code: 'not_found' });
    expect(ticked).toEqual(['run_a1']);
  });

  it('drive_run refuses a terminal, paused or escalated run before anyone is asked to confirm', async () => {
    await seedRun(app.ctx, 'run_d', 'mem0ai', 'mem0', TO_STATE.PUSHED);
    await apply(app.ctx, 'run_d', { type: 'github.pull_request.closed', pr_number: 3, merged: true });
    await expect(describeTool(tool('drive_run'), app.ctx, { run_id: 'run_d' })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/DONE, which is terminal/) });
    await seedRun(app.ctx, 'run_p', 'mem0ai', 'mem0', TO_STATE.IMPLEMENTING);
    await apply(app.ctx, 'run_p', { type: 'command.pause' });
    await expect(describeTool(tool('drive_run'), app.ctx, { run_id: 'run_p' })).rejects.toMatchObject({
      code: 'refused',
      message: 'run run_p is PAUSED; the manager leaves it alone until a person resumes it (resume_run).',
    });
    await apply(app.ctx, 'run_p', { type: 'command.resume' });
    await apply(app.ctx, 'run_p', { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'worker' });
    await expect(describeTool(tool('drive_run'), app.ctx, { run_id: 'run_p' })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/retry_run/) });
  });
});
