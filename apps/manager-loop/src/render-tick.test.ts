import { describe, expect, it } from 'vitest';
import type { RunTickResult } from '@agentpr/orchestrator';
import { renderTick } from './render-tick.js';

function result(over: Partial<RunTickResult>): RunTickResult {
  return { ok: true, run_id: 'run_1', owner: 'o', repo: 'r', state: 'PUSHED', actions_executed: [], actions: [], errors: [], ...over };
}

describe('renderTick', () => {
  it('a run waiting for a human shows the awaited action with its exact command under its line', () => {
    const text = renderTick({
      results: [
        result({
          actions: [
            { state: 'PUSHED', action: 'request_pr', reason: 'pushed without a PR', ok: true },
            {
              state: 'PUSHED',
              action: 'wait_human',
              reason: 'the PR request of the pushed head waits for approval',
              result: 'no_execution',
              awaiting: {
                action: 'approve_pr',
                summary: 'PR request ready: approve it by command',
                command: 'agentpr approve-open-pr --run-id run_1 --request-file /f.json --confirm-token <token> --confirm',
                note: 'the token is never logged',
                alternatives: ['agentpr pending-prs'],
              },
            },
          ],
        }),
        result({ run_id: 'run_2', state: 'CI_WAIT', actions: [{ state: 'CI_WAIT', action: 'sync_github', reason: 'due', ok: true }] }),
      ],
    });
    expect(text.split('\n')).toEqual([
      'run_1 [PUSHED] request_pr → wait_human(no_execution)',
      '  waiting for a human: PR request ready: approve it by command: `agentpr approve-open-pr --run-id run_1 --request-file /f.json --confirm-token <token> --confirm`'
        + ' (the token is never logged); or `agentpr pending-prs`',
      'run_2 [CI_WAIT] sync_github',
    ]);
  });

  it('an empty tick says no run needs work', () => {
    expect(renderTick({ results: [] })).toBe('tick: no run needs work');
  });
});
