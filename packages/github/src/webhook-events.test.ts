import { describe, expect, it } from 'vitest';
import { webhookExample } from '@agentpr/testing';
import { mapWebhookEvent, webhookRepository, type WebhookMapping } from './webhook-events.js';

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

function targets(mapping: WebhookMapping) {
  if (mapping.kind !== 'targets') throw new Error(`expected targets, got ${JSON.stringify(mapping)}`);
  return mapping.targets;
}

describe('mapWebhookEvent on real GitHub example payloads', () => {
  it('a completed failing check_run targets its PR with a check-suite + head SHA key', () => {
    const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
    const mapping = mapWebhookEvent('check_run', payload, 'd-1');
    expect(mapping).toMatchObject({ kind: 'targets', repository: { owner: 'Codertocat', repo: 'Hello-World' } });
    expect(targets(mapping)).toEqual([
      {
        prNumber: 2,
        headSha: SHA,
        index: 0,
        action: { kind: 'check', conclusion: 'failure', headSha: SHA, idempotencyKey: `gh:check-suite:118578147:${SHA}:failure`, source: 'check_run' },
      },
    ]);
  });

  it('a check_run and the check_suite it belongs to share one idempotency key', () => {
    const run = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
    const suite = webhookExample('check_suite', 'completed', (p) => p.check_suite.pull_requests.length > 0);
    suite.check_suite.conclusion = 'failure';
    suite.check_suite.id = run.check_run.check_suite.id;
    const a = targets(mapWebhookEvent('check_run', run, 'd-1'))[0]!.action;
    const b = targets(mapWebhookEvent('check_suite', suite, 'd-2'))[0]!.action;
    expect(a.kind === 'check' && b.kind === 'check' && a.idempotencyKey === b.idempotencyKey).toBe(true);
  });

  it('a check_run that is created or re-requested carries no verdict', () => {
    expect(mapWebhookEvent('check_run', webhookExample('check_run', 'created'), 'd')).toMatchObject({ kind: 'ignored', message: expect.stringContaining('no verdict') });
    expect(mapWebhookEvent('check_run', webhookExample('check_run', 'rerequested'), 'd').kind).toBe('ignored');
  });

  it('a successful check_suite without PRs (a fork PR) targets runs by head SHA', () => {
    const payload = webhookExample('check_suite', 'completed', (p) => p.check_suite.pull_requests.length === 0);
    const [target] = targets(mapWebhookEvent('check_suite', payload, 'd'));
    expect(target).toMatchObject({ prNumber: null, headSha: payload.check_suite.head_sha, action: { kind: 'check', conclusion: 'success' } });
  });

  it('a check_suite with a stale conclusion is recorded against the PR as not actionable', () => {
    const payload = webhookExample('check_suite', 'completed', (p) => p.check_suite.pull_requests.length > 0);
    payload.check_suite.conclusion = 'stale';
    expect(targets(mapWebhookEvent('check_suite', payload, 'd'))[0]).toMatchObject({ prNumber: 2, action: { kind: 'ignore', message: expect.stringContaining('stale') } });
  });

  it('a completed workflow_run keys by its check suite', () => {
    const payload = webhookExample('workflow_run', 'completed', (p) => p.workflow_run.pull_requests.length > 0);
    const [target] = targets(mapWebhookEvent('workflow_run', payload, 'd'));
    expect(target!.action).toMatchObject({ kind: 'check', conclusion: 'success', idempotencyKey: `gh:check-suite:${payload.workflow_run.check_suite_id}:${payload.workflow_run.head_sha}:success` });
  });

  it('a status targets runs by commit SHA; pending is not actionable and error is a failure', () => {
    const payload = webhookExample('status');
    expect(targets(mapWebhookEvent('status', payload, 'd'))[0]).toMatchObject({ prNumber: null, headSha: payload.sha, action: { kind: 'check', conclusion: 'success' } });
    payload.state = 'pending';
    expect(targets(mapWebhookEvent('status', payload, 'd'))[0]!.action.kind).toBe('ignore');
    payload.state = 'error';
    expect(targets(mapWebhookEvent('status', payload, 'd'))[0]!.action).toMatchObject({ kind: 'check', conclusion: 'failure' });
  });

  it('a closed pull_request maps to closed, merged or not', () => {
    const payload = webhookExample('pull_request', 'closed');
    expect(targets(mapWebhookEvent('pull_request', payload, 'd'))[0]!.action).toMatchObject({ kind: 'closed', merged: false });
    payload.pull_request.merged = true;
    expect(targets(mapWebhookEvent('pull_request', payload, 'd'))[0]!.action).toEqual({ kind: 'closed', merged: true, headSha: SHA, idempotencyKey: `gh:pr-closed:2:merged:${SHA}` });
  });

  it('a synchronize pull_request reports the new head; other actions do not change runs', () => {
    expect(targets(mapWebhookEvent('pull_request', webhookExample('pull_request', 'synchronize'), 'd'))[0]!.action).toEqual({ kind: 'head_updated', headSha: SHA, idempotencyKey: `gh:pr-head:2:${SHA}` });
    expect(targets(mapWebhookEvent('pull_request', webhookExample('pull_request', 'labeled'), 'd'))[0]!.action.kind).toBe('ignore');
  });

  it('a submitted review is keyed by its review id; a dismissal does not change runs', () => {
    const submitted = webhookExample('pull_request_review', 'submitted');
    expect(targets(mapWebhookEvent('pull_request_review', submitted, 'd'))[0]!.action).toEqual({ kind: 'review', state: 'commented', reviewId: 237895671, idempotencyKey: 'gh:review:237895671' });
    expect(targets(mapWebhookEvent('pull_request_review', webhookExample('pull_request_review', 'dismissed'), 'd'))[0]!.action.kind).toBe('ignore');
  });

  it('an issue_comment on a plain issue has no PR; on a PR it is recorded and ignored', () => {
    const comment = webhookExample('issue_comment', 'created');
    expect(mapWebhookEvent('issue_comment', comment, 'd')).toMatchObject({ kind: 'ignored', message: expect.stringContaining('no PR association') });
    comment.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    expect(targets(mapWebhookEvent('issue_comment', comment, 'd'))[0]).toMatchObject({ prNumber: comment.issue.number, action: { kind: 'ignore' } });
  });

  it('an unknown event, a non-object payload and a payload without repository are ignored with a reason', () => {
    expect(mapWebhookEvent('ping', webhookExample('ping'), 'd')).toMatchObject({ kind: 'ignored', message: 'event ping is not handled' });
    expect(mapWebhookEvent('check_run', [1, 2], 'd')).toMatchObject({ kind: 'ignored', message: 'payload is not a JSON object' });
    const payload = webhookExample('check_run', 'completed');
    delete payload.repository;
    expect(mapWebhookEvent('check_run', payload, 'd')).toMatchObject({ kind: 'ignored', message: 'missing repository identity in payload' });
  });

  it('webhookRepository reads owner.login, owner.name or a string owner', () => {
    expect(webhookRepository({ repository: { name: 'r', owner: { name: 'o' } } })).toEqual({ owner: 'o', repo: 'r' });
    expect(webhookRepository({ repository: { name: ' r ', owner: ' o ' } })).toEqual({ owner: 'o', repo: 'r' });
    expect(webhookRepository({ repository: { name: 'r' } })).toBeNull();
  });
});
