import { describe, expect, it } from 'vitest';
import { gateStop } from '../gate-stop.js';
import type { GateVerdict } from '../gate-types.js';
import type { GatesReport } from '../gates.js';

function report(phase: GatesReport['phase'], verdict: GateVerdict, state: GatesReport['state']): GatesReport {
  return { phase, verdicts: [verdict], outcome: verdict.outcome, stoppedBy: verdict.outcome === 'pass' || verdict.outcome === 'overridden' ? null : verdict, disclosure: null, issueNumber: null, state };
}

describe('gateStop', () => {
  it('is null when the gates let the command go on', () => {
    expect(gateStop(report('prepare', { gate: 'ai_policy', outcome: 'pass', reasonCode: null, message: 'ok', detail: {} }, 'DISCOVERY'), 'run_1')).toBeNull();
    expect(gateStop(report('prepare', { gate: 'duplicates', outcome: 'overridden', reasonCode: 'duplicate_found', message: 'ok', detail: {} }, 'DISCOVERY'), 'run_1')).toBeNull();
  });

  it('a held request names the limit, when it frees, what was left alone and the emergency override', () => {
    const held: GateVerdict = { gate: 'etiquette', outcome: 'held', reasonCode: 'limit_max_prs_per_hour', message: 'held: 2 PRs opened by campaign example in the last hour (limit 2)', detail: {}, freesAt: '2026-11-23T11:05:00.000Z' };
    expect(gateStop(report('pr_request', held, 'PUSHED'), 'run_1')).toEqual({
      phase: 'pr_request',
      gate: 'etiquette',
      outcome: 'held',
      reason_code: 'limit_max_prs_per_hour',
      frees_at: '2026-11-23T11:05:00.000Z',
      state: 'PUSHED',
      next_commands: ['agentpr request-open-pr --run-id run_1', 'agentpr request-open-pr --run-id run_1 --ignore-limits'],
      verdict: held,
      message:
        'request-open-pr held by the etiquette gate: 2 PRs opened by campaign example in the last hour (limit 2); frees at 2026-11-23T11:05:00.000Z; ' +
        'no request was written; ask again once it frees, or in an emergency `agentpr request-open-pr --run-id run_1 --ignore-limits` (audited).',
    });
  });

  it('a held approval keeps the request valid, and does not repeat an override hint the gate gave', () => {
    const held: GateVerdict = { gate: 'etiquette', outcome: 'held', reasonCode: 'outside_schedule', message: 'outside the schedule window (mon-fri 09:00-17:00 Europe/Berlin); opens 2026-11-24T08:00:00.000Z (--ignore-limits to override, audited)', detail: { frees_at: '2026-11-24T08:00:00.000Z' } };
    const stop = gateStop(report('pr_approve', held, 'PUSHED'), 'run_1')!;
    expect(stop.frees_at).toBe('2026-11-24T08:00:00.000Z');
    expect(stop.message).toBe(
      'approve-open-pr held by the etiquette gate: outside the schedule window (mon-fri 09:00-17:00 Europe/Berlin); opens 2026-11-24T08:00:00.000Z ' +
        '(--ignore-limits to override, audited); no PR was opened and the request stays valid; ask again once it frees ' +
        '(`agentpr approve-open-pr --run-id run_1 --request-file <file> --confirm-token <token> --confirm`).',
    );
  });

  it('a blocked run says what it is now and the commands that get it past; a skipped one says it ended', () => {
    const duplicate: GateVerdict = { gate: 'duplicates', outcome: 'blocked', reasonCode: 'duplicate_found', message: '1 possible duplicate(s) in acme/widgets: open PR #4', detail: {} };
    expect(gateStop(report('pr_request', duplicate, 'NEEDS_HUMAN_REVIEW'), 'run_1')!.message).toBe(
      'request-open-pr blocked by the duplicates gate: 1 possible duplicate(s) in acme/widgets: open PR #4; run run_1 is NEEDS_HUMAN_REVIEW; ' +
        'to go on: `agentpr request-open-pr --run-id run_1 --allow-duplicate`.',
    );
    const issueFirst: GateVerdict = { gate: 'ai_policy', outcome: 'blocked', reasonCode: 'ai_policy_issue_first', message: 'acme/widgets wants an accepted issue first', detail: {} };
    expect(gateStop(report('pr_request', issueFirst, 'NEEDS_HUMAN_REVIEW'), 'run_1')!.next_commands).toEqual(['agentpr link-issue --run-id run_1 --issue <number>', 'agentpr request-open-pr --run-id run_1']);
    const named: GateVerdict = { ...issueFirst, message: 'acme/widgets wants an accepted issue first; link it with `agentpr link-issue --run-id run_1 --issue <number>`' };
    expect(gateStop(report('pr_request', named, 'NEEDS_HUMAN_REVIEW'), 'run_1')!.message).toBe(
      'request-open-pr blocked by the ai_policy gate: acme/widgets wants an accepted issue first; link it with `agentpr link-issue --run-id run_1 --issue <number>`; ' +
        'run run_1 is NEEDS_HUMAN_REVIEW; then `agentpr request-open-pr --run-id run_1`.',
    );
    const forbidden: GateVerdict = { gate: 'ai_policy', outcome: 'skip_run', reasonCode: 'ai_policy_forbidden', message: 'acme/widgets forbids AI-generated contributions.', detail: {} };
    expect(gateStop(report('prepare', forbidden, 'SKIPPED'), 'run_1')).toMatchObject({
      next_commands: [],
      message: 'run-prepare stopped by the ai_policy gate: acme/widgets forbids AI-generated contributions; run run_1 ended as SKIPPED.',
    });
  });
});
