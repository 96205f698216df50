import { describe, expect, it } from 'vitest';
import { classifyCheckItem, rollUpChecks, webhookConclusion } from './check-rollup.js';

const run = (status: string, conclusion: string | null = null) => ({ kind: 'check_run' as const, name: 'ci', status, conclusion });
const status = (state: string) => ({ kind: 'status' as const, context: 'ci', state });

describe('rollUpChecks', () => {
  it('rollUpChecks with an in-progress check run among successes is pending, not success', () => {
    const result = rollUpChecks([run('completed', 'success'), run('in_progress')]);
    expect(result).toEqual({ conclusion: null, total: 2, successes: 1, failures: 0, pending: 1 });
  });

  it('rollUpChecks counts a StatusContext SUCCESS as success', () => {
    expect(rollUpChecks([{ __typename: 'StatusContext', state: 'SUCCESS' }, { __typename: 'CheckRun', status: 'COMPLETED', conclusion: 'SUCCESS' }]).conclusion).toBe('success');
  });

  it('rollUpChecks with any failure is failure even while others are pending', () => {
    expect(rollUpChecks([run('queued'), status('error')]).conclusion).toBe('failure');
    expect(rollUpChecks([run('completed', 'stale')]).conclusion).toBe('failure');
  });

  it('rollUpChecks of nothing, or of something that is not a list, decides nothing', () => {
    expect(rollUpChecks([]).conclusion).toBeNull();
    expect(rollUpChecks({ nodes: [] }).conclusion).toBeNull();
  });

  it('rollUpChecks treats neutral and skipped as success and an unknown conclusion as pending', () => {
    expect(rollUpChecks([run('completed', 'neutral'), run('completed', 'skipped')]).conclusion).toBe('success');
    expect(rollUpChecks([run('completed', 'success'), run('completed', 'mystery')]).conclusion).toBeNull();
  });

  it('classifyCheckItem never calls an unrecognised item success', () => {
    expect(classifyCheckItem({ conclusion: 'success' })).toBe('pending');
    expect(classifyCheckItem(null)).toBe('pending');
    expect(classifyCheckItem(status('expected'))).toBe('pending');
  });
});

describe('webhookConclusion', () => {
  it('webhookConclusion maps failures, successes and non-actionable values', () => {
    expect(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure'].map(webhookConclusion)).toEqual(Array(5).fill('failure'));
    expect(['success', 'NEUTRAL', 'skipped'].map(webhookConclusion)).toEqual(['success', 'success', 'success']);
    expect([null, 'stale', '', undefined].map(webhookConclusion)).toEqual([null, null, null, null]);
  });
});
