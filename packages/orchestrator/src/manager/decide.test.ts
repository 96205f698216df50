import { describe, expect, it } from 'vitest';
import { decide, type RunFacts } from './decide.js';

function facts(over: Partial<RunFacts>): RunFacts {
  return {
    runId: 'r',
    state: 'QUEUED',
    lastActiveState: null,
    prepare: { attempts: 0, latestOk: null, latestId: null },
    contractUri: null,
    skillsMode: 'off',
    hasPrompt: true,
    discoveryAgentPassed: false,
    budget: { managerRetries: 0, stepFailuresInARow: {} },
    syncDue: true,
    ...over,
  };
}

describe('decide', () => {
  it('W46: DISCOVERY after a failed prepare runs prepare again instead of advancing', () => {
    expect(decide(facts({ state: 'DISCOVERY', prepare: { attempts: 1, latestOk: false, latestId: 1 } }), 3).action).toBe('run_prepare');
  });

  it('W46: skills mode agentpr runs the contract stage; off uses the bootstrap contract', () => {
    const prepared = { attempts: 1, latestOk: true, latestId: 1 };
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'agentpr' }), 3).action).toBe('run_agent_step');
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'agentpr', discoveryAgentPassed: true }), 3).action).toBe('contract_from_last_message');
    const off = decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'off' }), 3);
    expect(off.action).toBe('mark_plan_ready');
    expect(off.contractUri).toBeUndefined();
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, contractUri: '/c.md' }), 3)).toMatchObject({ action: 'mark_plan_ready', contractUri: '/c.md' });
  });

  it('W48: LOCAL_VALIDATING finishes only when the pre-push check passes', () => {
    expect(decide(facts({ state: 'LOCAL_VALIDATING', prePush: { ok: true, failed: [] } }), 3).action).toBe('run_finish');
    const d = decide(facts({ state: 'LOCAL_VALIDATING', prePush: { ok: false, failed: ['runtime_not_pass: classification grade=RETRYABLE'] } }), 3);
    expect(d).toMatchObject({ action: 'escalate' });
    expect(d.reason).toContain('runtime_not_pass');
  });

  it('W47: retries stop at the budget and escalate', () => {
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'IMPLEMENTING', budget: { managerRetries: 2, stepFailuresInARow: {} } }), 3)).toMatchObject({ action: 'retry', target: 'IMPLEMENTING' });
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'IMPLEMENTING', budget: { managerRetries: 3, stepFailuresInARow: {} } }), 3).action).toBe('escalate');
    expect(decide(facts({ state: 'IMPLEMENTING', budget: { managerRetries: 0, stepFailuresInARow: { agent: 3 } } }), 3).action).toBe('escalate');
    expect(decide(facts({ state: 'FAILED_RETRYABLE' }), 0).action).toBe('escalate');
  });

  it('waiting states wait for a human; terminal runs are noop; GitHub states sync only when due', () => {
    for (const state of ['PAUSED', 'PUSHED', 'NEEDS_HUMAN_REVIEW'] as const) expect(decide(facts({ state }), 3).action).toBe('wait_human');
    expect(decide(facts({ state: 'DONE' }), 3).action).toBe('noop');
    expect(decide(facts({ state: 'CI_WAIT', syncDue: true }), 3).action).toBe('sync_github');
    expect(decide(facts({ state: 'CI_WAIT', syncDue: false }), 3).action).toBe('noop');
    expect(decide(facts({ state: 'IMPLEMENTING', hasPrompt: false }), 3).action).toBe('wait_human');
  });

  it('a retry from FAILED_RETRYABLE goes back to DISCOVERY when prepare never succeeded', () => {
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'PLAN_READY' }), 3)).toMatchObject({ action: 'retry', target: 'DISCOVERY' });
  });
});
