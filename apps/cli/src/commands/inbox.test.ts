import { describe, expect, it } from 'vitest';
import type { Inbox } from '@agentpr/orchestrator';
import { inboxText } from './inbox.js';

const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const base = { owner: 'octo', repo: 'widgets', since: '2026-12-04T11:48:00.000Z' };

describe('inboxText', () => {
  it('inboxText renders each group with why the run waits, readable durations and the next command', () => {
    const inbox: Inbox = {
      kind: 'inbox',
      total: 3,
      groups: [
        {
          reason: 'pr_approval',
          items: [{ ...base, run_id: 'run_a', state: 'PUSHED', reason: 'pr_approval', request_id: 1, title: 'feat(widgets): add it', head: 'agentpr/x', head_sha: 'abcdef0123', expires_at: '2026-12-04T12:12:00.000Z', next_command: 'agentpr approve-open-pr …' }],
        },
        {
          reason: 'ci_red',
          items: [{ ...base, run_id: 'run_b', state: 'ITERATING', reason: 'ci_red', pr_number: 7, failing_checks: ['lint', 'test'], next_command: 'agentpr drive --run-id run_b' }],
        },
        {
          reason: 'escalation',
          items: [
            {
              ...base,
              run_id: 'run_c',
              state: 'NEEDS_HUMAN_REVIEW',
              reason: 'escalation',
              last_error: 'agent:tests_failed',
              last_stage: 'IMPLEMENTING',
              failing_tests: [{ name: 'test_get', excerpt: 'assert\n1 == 2', before_agent: true }],
              next_command: 'agentpr inspect-run --run-id run_c',
            },
          ],
        },
      ],
    };
    const text = inboxText(inbox, NOW);
    expect(text).toBe(
      [
        '3 runs need a human:',
        '',
        'PR awaiting approval (1)',
        '  run_a  octo/widgets  PUSHED, since 12 min ago',
        '      "feat(widgets): add it" at abcdef0, expires in 12 min',
        '      next: agentpr approve-open-pr …',
        '',
        'CI red (1)',
        '  run_b  octo/widgets  ITERATING, since 12 min ago',
        '      CI failed on PR #7: lint, test',
        '      next: agentpr drive --run-id run_b',
        '',
        'escalated to a human (NEEDS_HUMAN_REVIEW) (1)',
        '  run_c  octo/widgets  NEEDS_HUMAN_REVIEW, since 12 min ago',
        '      agent:tests_failed (at IMPLEMENTING)',
        '      failing test: test_get (failed before the agent too): assert 1 == 2',
        '      next: agentpr inspect-run --run-id run_c',
      ].join('\n'),
    );
    expect(inboxText({ kind: 'inbox', total: 0, groups: [] }, NOW)).toBe('nothing needs a human now');
  });
});
