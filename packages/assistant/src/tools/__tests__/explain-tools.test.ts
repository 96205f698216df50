import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentprError } from '@agentpr/orchestrator';
import { RUN_STATES, TRANSITIONS } from '@agentpr/state-machine';
import { cleanupTempDirs, freshDatabase } from '@agentpr/testing';
import { ASSISTANT_TOOLS, closeReasonCodes } from '../index.js';
import { accepts, callTool, toolApp, toolNamed, type ToolApp } from './tool-fixtures.js';

const explainState = toolNamed(ASSISTANT_TOOLS, 'explain_state');
const explainCode = toolNamed(ASSISTANT_TOOLS, 'explain_reason_code');

let app: ToolApp;
beforeAll(async () => {
  app = await toolApp((await freshDatabase('sqlite')).location);
});
afterAll(async () => {
  await app.close();
  cleanupTempDirs();
});

describe('explain_state', () => {
  it('explains NEEDS_HUMAN_REVIEW: where it leads, the commands and the assistant actions that apply', async () => {
    const out = await callTool(explainState, app.ctx, { state: 'NEEDS_HUMAN_REVIEW' });
    const data = out.data as Record<string, any>;
    expect(data).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', terminal: false, next_states: [...TRANSITIONS.NEEDS_HUMAN_REVIEW] });
    expect(data.meaning).toMatch(/needs a person/);
    expect(data.operator_commands).toContain('agentpr retry --run-id <run_id> --target-state IMPLEMENTING');
    expect(data.assistant_actions).toEqual(['pause_run', 'retry_run']);
    expect(data.events_out).toEqual(['command.mark.done → DONE', 'worker.push.completed → PUSHED', 'command.pause → PAUSED']);
    expect(out.summary).toBe(`NEEDS_HUMAN_REVIEW: leads to ${TRANSITIONS.NEEDS_HUMAN_REVIEW.length} states`);
  });

  it('explains PAUSED (only resume moves it) and a terminal state (nothing does)', async () => {
    const paused = (await callTool(explainState, app.ctx, { state: 'PAUSED' })).data as Record<string, any>;
    expect(paused.assistant_actions).toEqual(['resume_run']);
    expect(paused.operator_commands).toEqual(['agentpr resume --run-id <run_id>']);
    const done = await callTool(explainState, app.ctx, { state: 'DONE' });
    expect(done.data).toMatchObject({ terminal: true, next_states: [], events_out: [], operator_commands: [], assistant_actions: [] });
    expect(done.summary).toBe('DONE: terminal');
  });

  it('explains every state, and only states spelt as the state machine spells them', async () => {
    for (const state of RUN_STATES) expect(((await callTool(explainState, app.ctx, { state })).data as { meaning: string }).meaning).toMatch(/\S/);
    for (const bad of [{ state: 'paused' }, { state: 'STUCK' }, {}, { state: 3 }]) expect(accepts(explainState, bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('explain_reason_code', () => {
  it('explains a known code with its grade and what to do', async () => {
    const out = await callTool(explainCode, app.ctx, { code: 'missing_test_evidence' });
    expect(out.data).toMatchObject({ code: 'missing_test_evidence', grade: 'HUMAN_REVIEW', meaning: expect.stringMatching(/no successful test/) });
    expect(out.summary).toBe('missing_test_evidence: HUMAN_REVIEW');
  });

  it('answers an unknown code with one line that lists close matches', async () => {
    const failure = callTool(explainCode, app.ctx, { code: 'test_failed' });
    await expect(failure).rejects.toBeInstanceOf(AgentprError);
    await expect(failure).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/^Unknown reason code test_failed; close matches: .*test_command_failed/) });
    expect(closeReasonCodes('runtime_sucess')[0]).toBe('runtime_success');
    expect(closeReasonCodes('diff_budget')).toContain('diff_budget_exceeded');
  });

  it('treats names of object properties as unknown codes, and rejects what is not a snake_case code', async () => {
    await expect(callTool(explainCode, app.ctx, { code: 'constructor' })).rejects.toMatchObject({ code: 'not_found', message: expect.not.stringContaining('\n') });
    for (const bad of [{ code: 'Test Failed' }, { code: '' }, { code: 'x'.repeat(65) }, {}]) expect(accepts(explainCode, bad), JSON.stringify(bad)).toBe(false);
  });
});
