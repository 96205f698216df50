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
    lastError: null,
    pr: { openNumber: null, request: null, autoRequest: true },
    ...over,
  };
}

describe('decide', () => {
  it('DISCOVERY after a failed prepare runs prepare again instead of advancing', () => {
    expect(decide(facts({ state: 'DISCOVERY', prepare: { attempts: 1, latestOk: false, latestId: 1 } }), 3).action).toBe('run_prepare');
  });

  it('skills mode agentpr runs the contract stage; off uses the bootstrap contract', () => {
    const prepared = { attempts: 1, latestOk: true, latestId: 1 };
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'agentpr' }), 3).action).toBe('run_agent_step');
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'agentpr', discoveryAgentPassed: true }), 3).action).toBe('contract_from_last_message');
    const off = decide(facts({ state: 'DISCOVERY', prepare: prepared, skillsMode: 'off' }), 3);
    expect(off.action).toBe('mark_plan_ready');
    expect(off.contractUri).toBeUndefined();
    expect(decide(facts({ state: 'DISCOVERY', prepare: prepared, contractUri: '/c.md' }), 3)).toMatchObject({ action: 'mark_plan_ready', contractUri: '/c.md' });
  });

  it('LOCAL_VALIDATING finishes only when the pre-push check passes', () => {
    expect(decide(facts({ state: 'LOCAL_VALIDATING', prePush: { ok: true, failed: [] } }), 3).action).toBe('run_finish');
    const d = decide(facts({ state: 'LOCAL_VALIDATING', prePush: { ok: false, failed: ['runtime_not_pass: classification grade=RETRYABLE'] } }), 3);
    expect(d).toMatchObject({ action: 'escalate' });
    expect(d.reason).toContain('runtime_not_pass');
  });

  it('retries stop at the budget and escalate', () => {
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'IMPLEMENTING', budget: { managerRetries: 2, stepFailuresInARow: {} } }), 3)).toMatchObject({ action: 'retry', target: 'IMPLEMENTING' });
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'IMPLEMENTING', budget: { managerRetries: 3, stepFailuresInARow: {} } }), 3).action).toBe('escalate');
    expect(decide(facts({ state: 'IMPLEMENTING', budget: { managerRetries: 0, stepFailuresInARow: { agent: 3 } } }), 3).action).toBe('escalate');
    expect(decide(facts({ state: 'FAILED_RETRYABLE' }), 0).action).toBe('escalate');
  });

  it('waiting states wait for a human; terminal runs are noop; GitHub states sync only when due', () => {
    for (const state of ['PAUSED', 'NEEDS_HUMAN_REVIEW'] as const) expect(decide(facts({ state }), 3).action).toBe('wait_human');
    expect(decide(facts({ state: 'DONE' }), 3).action).toBe('noop');
    expect(decide(facts({ state: 'CI_WAIT', syncDue: true }), 3).action).toBe('sync_github');
    expect(decide(facts({ state: 'CI_WAIT', syncDue: false }), 3).action).toBe('noop');
    expect(decide(facts({ state: 'IMPLEMENTING', hasPrompt: false }), 3).action).toBe('wait_human');
  });

  it('a retry from FAILED_RETRYABLE goes back to DISCOVERY when prepare never succeeded', () => {
    expect(decide(facts({ state: 'FAILED_RETRYABLE', lastActiveState: 'PLAN_READY' }), 3)).toMatchObject({ action: 'retry', target: 'DISCOVERY' });
  });

  it('PUSHED without a PR requests the PR once per head, then waits for its approval with the exact command and no token', () => {
    expect(decide(facts({ state: 'PUSHED' }), 3)).toMatchObject({ action: 'request_pr' });
    const pending = { requestFile: '/data/reports/r_pr_open_request_1.json', expiresAt: '2026-12-04T23:00:00.000Z', expired: false, consumed: false };
    const waiting = decide(facts({ state: 'PUSHED', pr: { openNumber: null, request: pending, autoRequest: true } }), 3);
    expect(waiting).toMatchObject({
      action: 'wait_human',
      awaiting: {
        action: 'approve_pr',
        command: 'agentpr approve-open-pr --run-id r --request-file /data/reports/r_pr_open_request_1.json --confirm-token <token> --confirm',
        alternatives: ['agentpr pending-prs', 'agentpr request-open-pr --run-id r'],
      },
    });
    expect(waiting.awaiting?.summary).toBe('PR request ready (expires 2026-12-04T23:00:00.000Z): approve it on the Telegram card or by command');
    expect(waiting.awaiting?.note).toMatch(/token is never logged/);
    const expired = decide(facts({ state: 'PUSHED', pr: { openNumber: null, request: { ...pending, expired: true }, autoRequest: true } }), 3);
    expect(expired).toMatchObject({ action: 'wait_human', awaiting: { action: 'request_pr', command: 'agentpr request-open-pr --run-id r' } });
    const consumed = decide(facts({ state: 'PUSHED', pr: { openNumber: null, request: { ...pending, consumed: true }, autoRequest: true } }), 3);
    expect(consumed).toMatchObject({ action: 'wait_human', awaiting: { action: 'request_pr' } });
    // Under drive the manager leaves the request to drive, which prints the token.
    expect(decide(facts({ state: 'PUSHED', pr: { openNumber: null, request: null, autoRequest: false } }), 3)).toMatchObject({
      action: 'wait_human',
      awaiting: { action: 'request_pr', command: 'agentpr request-open-pr --run-id r' },
    });
  });

  it('PUSHED with an open PR (a re-push) syncs with GitHub when due instead of asking for a PR', () => {
    const open = { openNumber: 12, request: null, autoRequest: true };
    expect(decide(facts({ state: 'PUSHED', pr: open }), 3)).toMatchObject({ action: 'sync_github', reason: expect.stringContaining('PR #12') });
    expect(decide(facts({ state: 'PUSHED', pr: open, syncDue: false }), 3).action).toBe('noop');
  });

  it('every wait_human carries the awaited action and its exact command', () => {
    expect(decide(facts({ state: 'PAUSED' }), 3).awaiting).toEqual({ action: 'resume', summary: 'paused: resume it when ready', command: 'agentpr resume --run-id r' });
    const escalated = decide(facts({ state: 'NEEDS_HUMAN_REVIEW', lastActiveState: 'ITERATING', lastError: 'manager:step agent failed 3 times in a row' }), 3);
    expect(escalated.awaiting).toEqual({
      action: 'review_escalation',
      summary: 'escalated (manager:step agent failed 3 times in a row): inspect it, then retry it or mark it done',
      command: 'agentpr inspect-run --run-id r',
      alternatives: ['agentpr retry --run-id r --target-state ITERATING', 'agentpr mark-done --run-id r --force'],
    });
    // A stage retry does not accept is never offered: the latest one it does.
    const fromValidation = decide(facts({ state: 'NEEDS_HUMAN_REVIEW', lastActiveState: 'LOCAL_VALIDATING' }), 3);
    expect(fromValidation.awaiting?.alternatives?.[0]).toBe('agentpr retry --run-id r --target-state IMPLEMENTING');
    expect(decide(facts({ state: 'IMPLEMENTING', hasPrompt: false }), 3).awaiting).toMatchObject({ action: 'provide_prompt', command: 'agentpr manager-tick --run-id r --prompt-file <prompt.md>' });
    const states = ['QUEUED', 'DISCOVERY', 'PLAN_READY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'PUSHED', 'CI_WAIT', 'REVIEW_WAIT', 'ITERATING', 'PAUSED', 'DONE', 'SKIPPED', 'NEEDS_HUMAN_REVIEW', 'FAILED_RETRYABLE', 'FAILED_TERMINAL'] as const;
    const pending = { requestFile: '/f.json', expiresAt: 'x', expired: false, consumed: false };
    for (const state of states) {
      for (const over of [{}, { hasPrompt: false }, { skillsMode: 'agentpr' as const, prepare: { attempts: 1, latestOk: true, latestId: 1 } }, { pr: { openNumber: null, request: pending, autoRequest: true } }]) {
        const d = decide(facts({ state, ...over }), 3);
        if (d.action === 'wait_human') expect(d.awaiting?.command, `${state} ${JSON.stringify(over)}`).toMatch(/^agentpr [a-z-]+ --run-id r/);
        else expect(d.awaiting).toBeUndefined();
      }
    }
  });

  it('PUSHED held by a PR-request gate waits until it frees, naming the limit, instead of asking every tick', () => {
    const held = { gate: 'etiquette', reasonCode: 'limit_max_prs_per_hour', message: 'held: 2 PRs this hour (limit 2)', until: '2026-11-23T11:00:00.000Z' };
    const pushed = (pr: Partial<RunFacts['pr']>) => facts({ state: 'PUSHED', pr: { openNumber: null, request: null, autoRequest: true, ...pr } });
    expect(decide(pushed({ held }), 3)).toEqual({ action: 'noop', reason: 'held by the etiquette gate (limit_max_prs_per_hour) until 2026-11-23T11:00:00.000Z: held: 2 PRs this hour (limit 2)' });
    expect(decide(pushed({ held: null }), 3).action).toBe('request_pr');
    expect(decide(pushed({ held, autoRequest: false }), 3).action).toBe('wait_human');
  });

  it('a run a gate blocked waits for the command that gets it past the gate', () => {
    const blocked = (lastError: string, lastActiveState: RunFacts['lastActiveState']) => decide(facts({ runId: 'run_1', state: 'NEEDS_HUMAN_REVIEW', lastError, lastActiveState }), 3).awaiting;
    expect(blocked('gate:duplicates:duplicate_found:1 possible duplicate: #4', 'DISCOVERY')).toMatchObject({ command: 'agentpr run-prepare --run-id run_1 --allow-duplicate' });
    expect(blocked('gate:duplicates:duplicate_found:1 possible duplicate: #4', 'PUSHED')).toMatchObject({ command: 'agentpr request-open-pr --run-id run_1 --allow-duplicate' });
    expect(blocked('gate:ai_policy:ai_policy_issue_first:wants an issue first', 'PUSHED')).toMatchObject({
      command: 'agentpr link-issue --run-id run_1 --issue <number>',
      note: expect.stringContaining('agentpr request-open-pr --run-id run_1'),
    });
    expect(blocked('gate:ai_policy:no_github_token:no GitHub token', 'PUSHED')).toMatchObject({ command: 'agentpr inspect-run --run-id run_1' });
  });
});
