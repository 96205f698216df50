import { describe, expect, it } from 'vitest';
import { resolveEvent, operatorTargets, type RunSnapshot } from './resolve-event.js';
import { RUN_STATES, allowedTargets, type RunState } from './states.js';
import type { RunEvent } from './events.js';
import { parseHeldFacts, serializeHeldFacts } from './held-facts.js';

const run = (state: RunState, extra: Partial<RunSnapshot> = {}): RunSnapshot => ({ state, lastError: null, lastActiveState: null, ...extra });

/** Compact outcome: a target state, `!` for refused, `~reason` for stored without effect. */
function outcome(state: RunState, event: RunEvent, extra: Partial<RunSnapshot> = {}): string {
  const r = resolveEvent(run(state, extra), event, { pushedHeadSha: 'aaa' });
  if (r.outcome === 'applied') return r.next.state;
  if (r.outcome === 'stored') return `~${r.reason}`;
  return '!';
}

// Expected outcome per state, in RUN_STATES order. Deliberately (issue 13): PAUSED and
// NEEDS_HUMAN_REVIEW hold every check, review verdict and unmerged close (`~held`); only a merge moves them.
// QUEUED DISCOVERY PLAN_READY IMPLEMENTING LOCAL_VALIDATING PUSHED CI_WAIT REVIEW_WAIT ITERATING PAUSED DONE SKIPPED NEEDS_HUMAN_REVIEW
// FAILED_RETRYABLE FAILED_TERMINAL
const EXPECTED: Array<[string, RunEvent, string]> = [
  ['start.discovery', { type: 'command.start.discovery' }, 'DISCOVERY ! ! ! ! ! ! ! ! DISCOVERY ! ! ! DISCOVERY !'],
  ['discovery.completed', { type: 'worker.discovery.completed', contract_path: 'c.md' }, '! PLAN_READY PLAN_READY ! ! ! ! ! ! PLAN_READY ! ! ! ! !'],
  ['start.implementation', { type: 'command.start.implementation' }, '! ! IMPLEMENTING ! ! ! ! ! IMPLEMENTING IMPLEMENTING ! ! ! ! !'],
  ['local.validation.passed', { type: 'command.local.validation.passed' }, '! ! ! LOCAL_VALIDATING ! ! ! ! LOCAL_VALIDATING LOCAL_VALIDATING ! ! ! ! !'],
  ['push.completed', { type: 'worker.push.completed', branch: 'b' }, '! ! ! ! PUSHED PUSHED ! ! ! PUSHED ! ! PUSHED ! !'],
  ['pr.linked', { type: 'command.pr.linked', pr_number: 7 }, '! ! ! ! ! CI_WAIT CI_WAIT ! ! CI_WAIT ! ! ! ! !'],
  ['mark.done', { type: 'command.mark.done' }, '! ! ! ! ! DONE ! DONE ! ! ! ! DONE ! !'],
  ['run.skip', { type: 'command.run.skip', reason_code: 'stale', message: 'no response' }, 'SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED SKIPPED ! ! SKIPPED SKIPPED !'],
  ['pause', { type: 'command.pause' }, 'PAUSED PAUSED PAUSED PAUSED PAUSED PAUSED PAUSED PAUSED PAUSED PAUSED ! ! PAUSED ! !'],
  ['timer.timeout', { type: 'timer.timeout', step: 'agent' }, '! FAILED_RETRYABLE ! FAILED_RETRYABLE FAILED_RETRYABLE ! FAILED_RETRYABLE FAILED_RETRYABLE FAILED_RETRYABLE ! ! ! ! FAILED_RETRYABLE !'],
  [
    'step.failed',
    { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'boom' },
    'QUEUED FAILED_RETRYABLE PLAN_READY FAILED_RETRYABLE FAILED_RETRYABLE NEEDS_HUMAN_REVIEW FAILED_RETRYABLE FAILED_RETRYABLE FAILED_RETRYABLE PAUSED ~terminal_state ~terminal_state NEEDS_HUMAN_REVIEW FAILED_RETRYABLE ~terminal_state',
  ],
  [
    'workspace rebuilt (issue 20)',
    { type: 'worker.workspace.rebuilt', from_host: 'a', to_host: 'b', point: 'base', sha: 'abc' },
    'QUEUED DISCOVERY PLAN_READY IMPLEMENTING LOCAL_VALIDATING PUSHED CI_WAIT REVIEW_WAIT ITERATING PAUSED ~terminal_state ~terminal_state NEEDS_HUMAN_REVIEW FAILED_RETRYABLE ~terminal_state',
  ],
  [
    'workspace work lost (issue 20)',
    { type: 'worker.workspace.work_lost', host: 'a', attempt_nos: [2], unfinished_attempt_no: 3 },
    'QUEUED DISCOVERY PLAN_READY IMPLEMENTING LOCAL_VALIDATING PUSHED CI_WAIT REVIEW_WAIT ITERATING PAUSED ~terminal_state ~terminal_state NEEDS_HUMAN_REVIEW FAILED_RETRYABLE ~terminal_state',
  ],
  [
    'check success',
    { type: 'github.check.completed', conclusion: 'Success', pr_number: 7, head_sha: 'aaa' },
    '~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition REVIEW_WAIT REVIEW_WAIT ~invalid_transition ~held ~invalid_transition ~invalid_transition ~held ~invalid_transition ~invalid_transition',
  ],
  [
    'check failure',
    { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: 'aaa' },
    '~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ITERATING ITERATING ITERATING ~held ~invalid_transition ~invalid_transition ~held ITERATING ~invalid_transition',
  ],
  [
    'check stale head',
    { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: 'bbb' },
    Array(15).fill('~stale_head_sha').join(' '),
  ],
  [
    'review changes_requested',
    { type: 'github.review.submitted', state: 'CHANGES_REQUESTED' },
    '~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ~invalid_transition ITERATING ITERATING ITERATING ~held ~invalid_transition ~invalid_transition ~held ITERATING ~invalid_transition',
  ],
  [
    'review approved',
    { type: 'github.review.submitted', state: 'approved' },
    '~no_transition ~no_transition ~no_transition ~no_transition ~no_transition ~no_transition ~no_transition ~no_transition ~no_transition ~held ~no_transition ~no_transition ~held ~no_transition ~no_transition',
  ],
  ['review commented', { type: 'github.review.submitted', state: 'commented' }, Array(15).fill('~no_transition').join(' ')],
  [
    'pr merged',
    { type: 'github.pull_request.closed', pr_number: 7, merged: true },
    'DONE DONE DONE DONE DONE DONE DONE DONE DONE DONE ~invalid_transition ~invalid_transition DONE DONE ~invalid_transition',
  ],
  [
    'pr closed unmerged',
    { type: 'github.pull_request.closed', pr_number: 7, merged: false },
    '~invalid_transition NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW ~held ~invalid_transition ~invalid_transition ~held NEEDS_HUMAN_REVIEW ~invalid_transition',
  ],
  [
    'internal retry to NEEDS_HUMAN_REVIEW',
    { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' },
    '! NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW ! ! NEEDS_HUMAN_REVIEW NEEDS_HUMAN_REVIEW !',
  ],
  [
    'operator retry to IMPLEMENTING (last active LOCAL_VALIDATING)',
    { type: 'command.retry', target_state: 'IMPLEMENTING', actor: 'operator' },
    '! ! ! ! ! ! ! ! ! ! ! ! IMPLEMENTING IMPLEMENTING !',
  ],
  [
    'operator resume to LOCAL_VALIDATING (last active LOCAL_VALIDATING)',
    { type: 'command.resume', target_state: 'LOCAL_VALIDATING', actor: 'operator' },
    '! ! ! ! ! ! ! ! ! LOCAL_VALIDATING ! ! ! ! !',
  ],
  [
    'operator resume to PUSHED (later than last active)',
    { type: 'command.resume', target_state: 'PUSHED', actor: 'operator' },
    Array(15).fill('!').join(' '),
  ],
];

describe('resolveEvent over every (state, event) pair', () => {
  for (const [name, event, row] of EXPECTED) {
    const expected = row.split(' ');
    it(`${name}: matches the expected row`, () => {
      expect(expected).toHaveLength(RUN_STATES.length);
      const actual = RUN_STATES.map((s) => outcome(s, event, { lastActiveState: 'LOCAL_VALIDATING' }));
      expect(Object.fromEntries(RUN_STATES.map((s, i) => [s, actual[i]]))).toEqual(Object.fromEntries(RUN_STATES.map((s, i) => [s, expected[i]])));
    });
  }
});

describe('workspace placement events (issue 20)', () => {
  it('a rebuild keeps the state, last_error, last_active_state, held facts and pausedFrom as they were', () => {
    const before = run('PAUSED', { lastError: 'agent:x:boom', lastActiveState: 'ITERATING', pausedFrom: 'ITERATING', heldFacts: { check: 'failure' } });
    const r = resolveEvent(before, { type: 'worker.workspace.rebuilt', from_host: 'a', to_host: 'b', point: 'pushed_head', sha: 'aaa' });
    expect(r.outcome).toBe('applied');
    if (r.outcome !== 'applied') return;
    expect(r.sameState).toBe(true);
    expect(r.next).toEqual(before);
  });

  it('lost work on a terminal run is stored, not applied', () => {
    const r = resolveEvent(run('DONE'), { type: 'worker.workspace.work_lost', host: 'a', attempt_nos: [1], unfinished_attempt_no: null });
    expect(r).toMatchObject({ outcome: 'stored', reason: 'terminal_state' });
  });
});

describe('command.run.skip (issue 17)', () => {
  it('ends a run with a PR as SKIPPED and records why in last_error', () => {
    const r = resolveEvent(run('REVIEW_WAIT'), { type: 'command.run.skip', reason_code: 'stale', message: 'no maintainer response in 28 days' });
    expect(r).toMatchObject({ outcome: 'applied', from: 'REVIEW_WAIT', next: { state: 'SKIPPED', lastError: 'skip:stale:no maintainer response in 28 days' } });
  });

  it('is refused once the run has ended', () => {
    const r = resolveEvent(run('DONE'), { type: 'command.run.skip', reason_code: 'ai_policy_forbidden', message: 'x' });
    expect(r.outcome).toBe('refused');
  });
});

describe('state-machine: last_error, resume and retry', () => {
  it('a terminal run refuses a same-state event and keeps last_error', () => {
    const r = resolveEvent(run('DONE', { lastError: 'x' }), { type: 'command.mark.done' });
    expect(r.outcome).toBe('refused');
    expect(r.outcome === 'refused' && r.message).toMatch(/DONE is terminal/);
  });

  it('a same-state no-op in a non-terminal state keeps last_error', () => {
    const r = resolveEvent(run('PAUSED', { lastError: 'agent:x:y' }), { type: 'command.pause' });
    expect(r).toMatchObject({ outcome: 'applied', sameState: true, next: { state: 'PAUSED', lastError: 'agent:x:y' } });
  });

  it('a step failure in PLAN_READY keeps the state and writes last_error', () => {
    const r = resolveEvent(run('PLAN_READY'), { type: 'worker.step.failed', step: 'prepare', reason_code: 'script_failed', error_message: 'clone failed' });
    expect(r).toMatchObject({ outcome: 'applied', next: { state: 'PLAN_READY', lastError: 'prepare:script_failed:clone failed' } });
  });

  it('a retry into NEEDS_HUMAN_REVIEW after a failure keeps the failure reason', () => {
    const failed = resolveEvent(run('IMPLEMENTING'), { type: 'worker.step.failed', step: 'agent', reason_code: 'codex_agent_failed', error_message: 'exit 1' });
    if (failed.outcome !== 'applied') throw new Error('expected applied');
    const converged = resolveEvent(failed.next, { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'worker' });
    expect(converged).toMatchObject({ outcome: 'applied', next: { state: 'NEEDS_HUMAN_REVIEW', lastError: 'agent:codex_agent_failed:exit 1', lastActiveState: 'IMPLEMENTING' } });
  });

  it('resume defaults to the state the run was paused from', () => {
    const paused = resolveEvent(run('LOCAL_VALIDATING'), { type: 'command.pause' });
    if (paused.outcome !== 'applied') throw new Error('expected applied');
    expect(paused.next.lastActiveState).toBe('LOCAL_VALIDATING');
    const resumed = resolveEvent(paused.next, { type: 'command.resume', actor: 'operator' });
    expect(resumed).toMatchObject({ outcome: 'applied', next: { state: 'LOCAL_VALIDATING' } });
  });

  it('resume of a run paused from QUEUED defaults to DISCOVERY', () => {
    const paused = resolveEvent(run('QUEUED'), { type: 'command.pause' });
    if (paused.outcome !== 'applied') throw new Error('expected applied');
    expect(resolveEvent(paused.next, { type: 'command.resume' })).toMatchObject({ outcome: 'applied', next: { state: 'DISCOVERY' } });
  });

  it('resume without a recorded stage asks for --target-state', () => {
    const r = resolveEvent(run('PAUSED'), { type: 'command.resume' });
    expect(r).toMatchObject({ outcome: 'refused', code: 'target_required' });
  });

  it('resume from a state other than PAUSED is refused and points to retry', () => {
    const r = resolveEvent(run('FAILED_RETRYABLE', { lastActiveState: 'IMPLEMENTING' }), { type: 'command.resume', target_state: 'IMPLEMENTING' });
    expect(r).toMatchObject({ outcome: 'refused', code: 'operator_rule' });
    expect(r.outcome === 'refused' && r.message).toMatch(/Use retry/);
  });

  it('retry never targets DONE and never skips forward', () => {
    const nhr = run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'IMPLEMENTING' });
    expect(operatorTargets(nhr, 'retry')).toEqual(['FAILED_TERMINAL', 'IMPLEMENTING', 'ITERATING', 'PAUSED', 'SKIPPED']);
    expect(resolveEvent(nhr, { type: 'command.retry', target_state: 'DONE' })).toMatchObject({ outcome: 'refused' });
    expect(resolveEvent(nhr, { type: 'command.retry', target_state: 'PUSHED' })).toMatchObject({ outcome: 'refused' });
  });

  it('a failed PR creation can be retried back to PUSHED', () => {
    const r = resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'PUSHED' }), { type: 'command.retry', target_state: 'PUSHED' });
    expect(r).toMatchObject({ outcome: 'applied', next: { state: 'PUSHED', lastError: null } });
  });

  it('internal convergence is checked against the table only', () => {
    const r = resolveEvent(run('FAILED_RETRYABLE', { lastActiveState: 'DISCOVERY' }), { type: 'command.retry', target_state: 'LOCAL_VALIDATING', actor: 'manager' });
    expect(r).toMatchObject({ outcome: 'applied', next: { state: 'LOCAL_VALIDATING' } });
  });

  it('a transition into a non-failure state clears last_error; into a failure state keeps it', () => {
    const base = run('FAILED_RETRYABLE', { lastError: 'agent:x:y', lastActiveState: 'IMPLEMENTING' });
    expect(resolveEvent(base, { type: 'command.start.discovery' })).toMatchObject({ next: { lastError: null } });
    expect(resolveEvent(base, { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' })).toMatchObject({ next: { lastError: 'agent:x:y' } });
  });

  it('a closed unmerged PR records its number in last_error', () => {
    const r = resolveEvent(run('CI_WAIT'), { type: 'github.pull_request.closed', pr_number: 12, merged: false });
    expect(r).toMatchObject({ outcome: 'applied', next: { state: 'NEEDS_HUMAN_REVIEW', lastError: 'github:pr_closed_unmerged:12', lastActiveState: 'CI_WAIT' } });
  });

  it('moves among parked states keep last_active_state', () => {
    const r = resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'CI_WAIT' }), { type: 'command.pause' });
    expect(r).toMatchObject({ next: { state: 'PAUSED', lastActiveState: 'CI_WAIT' } });
  });

  it('allowedTargets is the table row sorted alphabetically', () => {
    expect(allowedTargets('PUSHED')).toEqual(['CI_WAIT', 'DONE', 'NEEDS_HUMAN_REVIEW', 'PAUSED']);
  });
});

describe('operator holds (issue 13): PAUSED and NEEDS_HUMAN_REVIEW move only on a human command', () => {
  const failing: RunEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: 'aaa', actor: 'webhook' };
  const green: RunEvent = { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: 'aaa', actor: 'sync' };
  const changes: RunEvent = { type: 'github.review.submitted', state: 'changes_requested', pr_number: 7, actor: 'sync' };
  const approved: RunEvent = { type: 'github.review.submitted', state: 'APPROVED', pr_number: 7, actor: 'webhook' };

  function feed(start: RunSnapshot, events: RunEvent[]): RunSnapshot {
    let snap = start;
    for (const event of events) {
      const r = resolveEvent(snap, event, { pushedHeadSha: 'aaa' });
      if (r.outcome === 'refused') throw new Error(r.message);
      snap = r.next;
    }
    return snap;
  }

  it('a PAUSED run keeps PAUSED through a failing check and a changes-requested review; resume then goes to ITERATING', () => {
    const paused = feed(run('CI_WAIT'), [{ type: 'command.pause' }]);
    const held = feed(paused, [failing, changes]);
    expect(held).toMatchObject({ state: 'PAUSED', lastActiveState: 'CI_WAIT', heldFacts: { check: 'failure', review: 'changes_requested' } });
    const resumed = resolveEvent(held, { type: 'command.resume', actor: 'operator' });
    expect(resumed).toMatchObject({ outcome: 'applied', next: { state: 'ITERATING', heldFacts: null } });
  });

  it('a held event says it is held and where resume will go', () => {
    const paused = feed(run('REVIEW_WAIT'), [{ type: 'command.pause' }]);
    const r = resolveEvent(paused, changes, { runId: 'run_x' });
    expect(r).toMatchObject({ outcome: 'stored', reason: 'held', next: { state: 'PAUSED' } });
    expect(r.outcome === 'stored' && r.message).toMatch(/run run_x is PAUSED; only a human command moves it.*resume then goes to ITERATING/);
  });

  it('resume of a PAUSED run without held facts goes back to the stage it was paused from', () => {
    const paused = feed(run('CI_WAIT'), [{ type: 'command.pause' }]);
    expect(resolveEvent(paused, { type: 'command.resume' })).toMatchObject({ outcome: 'applied', next: { state: 'CI_WAIT' } });
  });

  it('resume acts on the latest facts: a later green roll-up replaces a failure, an approval replaces changes requested', () => {
    const paused = feed(run('CI_WAIT'), [{ type: 'command.pause' }]);
    const greenAfterRed = feed(paused, [failing, green]);
    expect(greenAfterRed.heldFacts).toEqual({ check: 'success' });
    // The roll-up verdict was consumed by the hold, so resume applies it: CI_WAIT's green goes on to REVIEW_WAIT.
    expect(resolveEvent(greenAfterRed, { type: 'command.resume' })).toMatchObject({ outcome: 'applied', next: { state: 'REVIEW_WAIT' } });
    const approvedAfterChanges = feed(feed(run('REVIEW_WAIT'), [{ type: 'command.pause' }]), [changes, approved]);
    expect(resolveEvent(approvedAfterChanges, { type: 'command.resume' })).toMatchObject({ outcome: 'applied', next: { state: 'REVIEW_WAIT' } });
  });

  it('an explicit --target-state wins over the held facts', () => {
    const held = feed(feed(run('CI_WAIT'), [{ type: 'command.pause' }]), [failing]);
    expect(resolveEvent(held, { type: 'command.resume', target_state: 'CI_WAIT' })).toMatchObject({ outcome: 'applied', next: { state: 'CI_WAIT', heldFacts: null } });
  });

  it('an escalated run keeps NEEDS_HUMAN_REVIEW through checks and reviews; the facts follow it into PAUSED and resume goes to ITERATING', () => {
    const escalated = feed(run('CI_WAIT'), [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: 'manager:budget' }]);
    const held = feed(escalated, [failing, changes]);
    expect(held).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', lastError: 'manager:budget', heldFacts: { check: 'failure', review: 'changes_requested' } });
    const paused = feed(held, [{ type: 'command.pause', actor: 'operator' }]);
    expect(paused).toMatchObject({ state: 'PAUSED', heldFacts: { check: 'failure' } });
    expect(resolveEvent(paused, { type: 'command.resume', actor: 'operator' })).toMatchObject({ outcome: 'applied', next: { state: 'ITERATING' } });
    expect(resolveEvent(held, { type: 'command.retry', target_state: 'ITERATING', actor: 'operator' })).toMatchObject({ outcome: 'applied', next: { state: 'ITERATING', heldFacts: null } });
  });

  it('an unmerged close held in PAUSED sends resume to NEEDS_HUMAN_REVIEW with the PR in last_error; a merge still ends the run', () => {
    const paused = feed(run('REVIEW_WAIT'), [{ type: 'command.pause' }]);
    const closed = feed(paused, [{ type: 'github.pull_request.closed', pr_number: 7, merged: false }]);
    expect(closed.state).toBe('PAUSED');
    expect(resolveEvent(closed, { type: 'command.resume' })).toMatchObject({ outcome: 'applied', next: { state: 'NEEDS_HUMAN_REVIEW', lastError: 'github:pr_closed_unmerged:7' } });
    expect(resolveEvent(paused, { type: 'github.pull_request.closed', pr_number: 7, merged: true })).toMatchObject({ outcome: 'applied', next: { state: 'DONE' } });
  });

  it('a check for another head is stale, not held', () => {
    const paused = feed(run('CI_WAIT'), [{ type: 'command.pause' }]);
    const r = resolveEvent(paused, { ...failing, head_sha: 'bbb' } as RunEvent, { pushedHeadSha: 'aaa' });
    expect(r).toMatchObject({ outcome: 'stored', reason: 'stale_head_sha', next: { state: 'PAUSED', heldFacts: null } });
  });
});

describe('resume returns to the state the run was paused from (issue 15)', () => {
  function applied(r: ReturnType<typeof resolveEvent>): RunSnapshot {
    if (r.outcome !== 'applied') throw new Error(`expected applied, got ${r.outcome}`);
    return r.next;
  }

  it('pause records pausedFrom; resume from a run paused in NEEDS_HUMAN_REVIEW goes back to NEEDS_HUMAN_REVIEW', () => {
    const escalated = run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'IMPLEMENTING', lastError: 'agent:tests_failed:2 failing' });
    const paused = applied(resolveEvent(escalated, { type: 'command.pause', actor: 'operator' }));
    expect(paused).toMatchObject({ state: 'PAUSED', pausedFrom: 'NEEDS_HUMAN_REVIEW', lastActiveState: 'IMPLEMENTING' });
    const resumed = applied(resolveEvent(paused, { type: 'command.resume', actor: 'operator' }));
    // Back where it was, with its reason and the stage a later retry is limited to.
    expect(resumed).toEqual({ state: 'NEEDS_HUMAN_REVIEW', lastError: 'agent:tests_failed:2 failing', lastActiveState: 'IMPLEMENTING', heldFacts: null });
    expect(operatorTargets(resumed, 'retry')).toContain('IMPLEMENTING');
  });

  it('a run paused from a pipeline stage resumes to that stage, and pausedFrom is dropped on leaving PAUSED', () => {
    const paused = applied(resolveEvent(run('REVIEW_WAIT'), { type: 'command.pause' }));
    expect(paused.pausedFrom).toBe('REVIEW_WAIT');
    const resumed = applied(resolveEvent(paused, { type: 'command.resume' }));
    expect(resumed.state).toBe('REVIEW_WAIT');
    expect(resumed.pausedFrom ?? null).toBeNull();
  });

  it('pausing a PAUSED run again keeps where it was paused from', () => {
    const paused = applied(resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'CI_WAIT' }), { type: 'command.pause' }));
    const again = applied(resolveEvent(paused, { type: 'command.pause' }));
    expect(again).toMatchObject({ state: 'PAUSED', pausedFrom: 'NEEDS_HUMAN_REVIEW' });
    expect(applied(resolveEvent(again, { type: 'command.resume' })).state).toBe('NEEDS_HUMAN_REVIEW');
  });

  it('held facts still decide first, and an explicit target still wins', () => {
    const paused = applied(resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'CI_WAIT', heldFacts: { check: 'failure' } }), { type: 'command.pause' }));
    expect(applied(resolveEvent(paused, { type: 'command.resume' })).state).toBe('ITERATING');
    const plain = applied(resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'IMPLEMENTING' }), { type: 'command.pause' }));
    expect(applied(resolveEvent(plain, { type: 'command.resume', target_state: 'IMPLEMENTING' })).state).toBe('IMPLEMENTING');
  });

  it('a run paused before pausedFrom was recorded resumes to its last active stage, as before', () => {
    const legacy = run('PAUSED', { lastActiveState: 'IMPLEMENTING' });
    expect(applied(resolveEvent(legacy, { type: 'command.resume' })).state).toBe('IMPLEMENTING');
  });

  it('a held fact in a run paused from NEEDS_HUMAN_REVIEW says resume returns there', () => {
    const paused = applied(resolveEvent(run('NEEDS_HUMAN_REVIEW', { lastActiveState: 'REVIEW_WAIT' }), { type: 'command.pause' }));
    const r = resolveEvent(paused, { type: 'github.review.submitted', state: 'approved', actor: 'webhook' }, { runId: 'run_x' });
    expect(r.outcome === 'stored' && r.message).toMatch(/resume then goes to NEEDS_HUMAN_REVIEW/);
  });
});

describe('held facts storage', () => {
  it('serializeHeldFacts and parseHeldFacts round-trip; damaged or empty values read as none', () => {
    expect(parseHeldFacts(serializeHeldFacts({ check: 'failure', review: 'changes_requested', closedPr: 3 }))).toEqual({ check: 'failure', review: 'changes_requested', closedPr: 3 });
    expect(serializeHeldFacts({})).toBeNull();
    expect(serializeHeldFacts(null)).toBeNull();
    for (const bad of [null, '', '{', '[]', '"x"', '{"check":"maybe","closedPr":-1}']) expect(parseHeldFacts(bad)).toBeNull();
  });
});
