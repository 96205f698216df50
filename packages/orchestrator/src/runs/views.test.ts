import { describe, expect, it } from 'vitest';
import { nextCommands } from './views.js';

const STATE_ONLY = ['agentpr request-open-pr --run-id run_1 --title <title> --body-file <path>'];

describe('nextCommands', () => {
  it('a PUSHED run whose PR is open (a CI-fix round) is pointed at GitHub, never at a new PR request', () => {
    const next = nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: 12, pendingRequestFile: null }, STATE_ONLY);
    expect(next[0]).toBe('agentpr sync-github --run-id run_1');
    expect(next.join('\n')).not.toContain('request-open-pr');
  });

  it('a PUSHED run with a pending request is pointed at its approval; without one at the request', () => {
    expect(nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: null, pendingRequestFile: '/r/f.json' }, STATE_ONLY)).toEqual([
      'agentpr approve-open-pr --run-id run_1 --request-file /r/f.json --confirm-token <token> --confirm',
      'approve on the Telegram card, or re-issue the request for a fresh confirm token (it is never logged):',
      'agentpr request-open-pr --run-id run_1',
    ]);
    expect(nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: null, pendingRequestFile: null }, STATE_ONLY)[0]).toBe('agentpr request-open-pr --run-id run_1');
  });

  it('other states keep the state-only suggestions', () => {
    expect(nextCommands({ runId: 'run_1', state: 'CI_WAIT', openPr: 12, pendingRequestFile: null }, ['agentpr sync-github --run-id run_1'])).toEqual(['agentpr sync-github --run-id run_1']);
  });
});
