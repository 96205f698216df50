import { webhookConclusion } from './check-rollup.js';

/** The repository a delivery is about, as GitHub spelled it. */
export interface WebhookRepository {
  owner: string;
  repo: string;
}

/**
 * What one delivery asks of one run. `check` with `success` is never applied on its own: the run waits for an
 * all-green roll-up of its pushed head.
 */
export type WebhookAction =
  | { kind: 'check'; conclusion: 'success' | 'failure'; headSha: string | null; idempotencyKey: string; source: string }
  | { kind: 'review'; state: string; reviewId: number | null; idempotencyKey: string }
  | { kind: 'closed'; merged: boolean; headSha: string | null; idempotencyKey: string }
  | { kind: 'head_updated'; headSha: string; idempotencyKey: string }
  | { kind: 'ignore'; message: string };

/** One run to find and what to do to it: by PR number, or (when the event names no PR) by the pushed head SHA. */
export interface WebhookTarget {
  prNumber: number | null;
  headSha: string | null;
  /** Position in the event's PR list (used in delivery-based keys). */
  index: number;
  action: WebhookAction;
}

/** The mapping of one delivery: nothing to do (with why), or targets in a repository. */
export type WebhookMapping =
  | { kind: 'ignored'; message: string; repository: WebhookRepository | null }
  | { kind: 'targets'; repository: WebhookRepository; targets: WebhookTarget[] };

/** The events the mapping understands; every other event is answered 2xx and recorded as ignored. */
export const HANDLED_WEBHOOK_EVENTS = ['check_run', 'check_suite', 'status', 'workflow_run', 'pull_request', 'pull_request_review', 'issue_comment'] as const;

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function sha(value: unknown): string | null {
  const s = str(value);
  return s && /^[0-9a-f]{7,64}$/i.test(s) ? s.toLowerCase() : null;
}

/**
 * The repository identity of a payload: `repository.owner.login` (or `.name`, or a string owner)
 * and `repository.name`, trimmed; `null` when either is missing.
 */
export function webhookRepository(payload: unknown): WebhookRepository | null {
  const repository = obj(obj(payload)?.repository);
  if (!repository) return null;
  const ownerValue = repository.owner;
  const ownerObj = obj(ownerValue);
  const owner = ownerObj ? (str(ownerObj.login) ?? str(ownerObj.name)) : str(ownerValue);
  const repo = str(repository.name);
  return owner && repo ? { owner, repo } : null;
}

function prNumbersOf(list: unknown): number[] {
  if (!Array.isArray(list)) return [];
  const numbers: number[] = [];
  for (const item of list) {
    const n = int(obj(item)?.number);
    if (n !== null && n > 0 && !numbers.includes(n)) numbers.push(n);
  }
  return numbers;
}

function ignored(message: string, repository: WebhookRepository | null): WebhookMapping {
  return { kind: 'ignored', message, repository };
}

/** Targets for a CI verdict: each associated PR, or the head SHA when the event lists none (fork PRs). */
function ciTargets(numbers: number[], headSha: string | null, action: WebhookAction): WebhookTarget[] {
  if (numbers.length > 0) return numbers.map((prNumber, index) => ({ prNumber, headSha, index, action }));
  return headSha ? [{ prNumber: null, headSha, index: 0, action }] : [];
}

function mapCi(event: string, payload: Obj, repository: WebhookRepository, deliveryId: string): WebhookMapping {
  const action = str(payload.action);
  const body = obj(payload[event]);
  if (!body) return ignored(`${event} payload has no ${event} object`, repository);
  const status = str(body.status)?.toLowerCase() ?? null;
  const completed = action === 'completed' || (event === 'check_run' && action === 'created' && status === 'completed');
  if (!completed) return ignored(`${event} action ${action ?? '(none)'} carries no verdict`, repository);
  const headSha = sha(body.head_sha);
  const numbers = prNumbersOf(body.pull_requests);
  if (numbers.length === 0 && !headSha) return ignored(`${event} has no PR association and no head SHA`, repository);
  const rawConclusion = str(body.conclusion)?.toLowerCase() ?? null;
  const conclusion = webhookConclusion(rawConclusion);
  if (!conclusion) {
    const targets = ciTargets(numbers, headSha, { kind: 'ignore', message: `${event} conclusion ${rawConclusion ?? '(none)'} is not actionable` });
    return { kind: 'targets', repository, targets };
  }
  const suiteId = event === 'check_suite' ? int(body.id) : event === 'check_run' ? int(obj(body.check_suite)?.id) : int(body.check_suite_id);
  const key = (index: number, pr: number | null) =>
    suiteId !== null && headSha
      ? `gh:check-suite:${suiteId}:${headSha}:${conclusion}`
      : `gh-webhook:${deliveryId}:${event}:${pr ?? headSha}:${index}:check:${conclusion}`;
  const targets = ciTargets(numbers, headSha, { kind: 'ignore', message: '' }).map((t) => ({
    ...t,
    action: { kind: 'check' as const, conclusion, headSha, idempotencyKey: key(t.index, t.prNumber), source: event },
  }));
  return { kind: 'targets', repository, targets };
}

function mapStatus(payload: Obj, repository: WebhookRepository): WebhookMapping {
  const headSha = sha(payload.sha);
  if (!headSha) return ignored('status has no commit SHA', repository);
  const state = str(payload.state)?.toLowerCase() ?? '';
  const context = str(payload.context) ?? 'default';
  const conclusion = state === 'success' ? 'success' : state === 'failure' || state === 'error' ? 'failure' : null;
  const action: WebhookAction = conclusion
    ? { kind: 'check', conclusion, headSha, idempotencyKey: `gh:status:${headSha}:${context}:${state}`, source: 'status' }
    : { kind: 'ignore', message: `status state ${state || '(none)'} is not actionable` };
  return { kind: 'targets', repository, targets: [{ prNumber: null, headSha, index: 0, action }] };
}

function pullNumber(payload: Obj): number | null {
  const fromPr = int(obj(payload.pull_request)?.number);
  if (fromPr !== null) return fromPr;
  const issue = obj(payload.issue);
  if (issue && obj(issue.pull_request)) return int(issue.number);
  return null;
}

function mapPullRequestFamily(event: string, payload: Obj, repository: WebhookRepository): WebhookMapping {
  const number = pullNumber(payload);
  if (number === null) return ignored(`${event} has no PR association`, repository);
  const action = str(payload.action) ?? '';
  const pr = obj(payload.pull_request);
  const headSha = sha(obj(pr?.head)?.sha);
  let mapped: WebhookAction;
  if (event === 'pull_request') {
    if (action === 'closed') {
      const merged = pr?.merged === true;
      mapped = { kind: 'closed', merged, headSha, idempotencyKey: `gh:pr-closed:${number}:${merged ? 'merged' : 'unmerged'}:${headSha ?? 'unknown'}` };
    } else if (action === 'synchronize' && headSha) {
      mapped = { kind: 'head_updated', headSha, idempotencyKey: `gh:pr-head:${number}:${headSha}` };
    } else {
      mapped = { kind: 'ignore', message: `pull_request action ${action || '(none)'} does not change runs` };
    }
  } else if (event === 'pull_request_review') {
    const review = obj(payload.review);
    const state = str(review?.state)?.toLowerCase() ?? '';
    const reviewId = int(review?.id);
    if (action !== 'submitted') mapped = { kind: 'ignore', message: `pull_request_review action ${action || '(none)'} does not change runs` };
    else if (!state) mapped = { kind: 'ignore', message: 'pull_request_review has no review state' };
    else mapped = { kind: 'review', state, reviewId, idempotencyKey: reviewId !== null ? `gh:review:${reviewId}` : `gh:review:${number}:${state}:${str(review?.submitted_at) ?? 'unknown'}` };
  } else {
    mapped = { kind: 'ignore', message: `${event} does not change runs` };
  }
  return { kind: 'targets', repository, targets: [{ prNumber: number, headSha, index: 0, action: mapped }] };
}

/**
 * Maps one webhook delivery to what it asks of runs: CI verdicts of `check_run`,
 * `check_suite`, `workflow_run` and `status`, `pull_request` closed/merged/synchronize, submitted
 * `pull_request_review`s, and `issue_comment` (recorded, never acted on). Pure: the caller finds the runs —
 * by repository (case-insensitive) and PR number, or by pushed head SHA when the event names no PR — and
 * applies the actions. Idempotency keys are natural where GitHub gives an identity (check suite + head SHA,
 * review id, PR + head SHA) so a webhook and a poll of the same fact apply once.
 *
 * @example
 * const mapping = mapWebhookEvent('check_run', payload, 'a1b2-…');
 * if (mapping.kind === 'targets') for (const t of mapping.targets) console.log(t.prNumber, t.action.kind);
 */
export function mapWebhookEvent(event: string, payload: unknown, deliveryId: string): WebhookMapping {
  const body = obj(payload);
  if (!body) return ignored('payload is not a JSON object', null);
  const repository = webhookRepository(body);
  if (!(HANDLED_WEBHOOK_EVENTS as readonly string[]).includes(event)) return ignored(`event ${event} is not handled`, repository);
  if (!repository) return ignored('missing repository identity in payload', null);
  switch (event) {
    case 'check_run':
    case 'check_suite':
    case 'workflow_run':
      return mapCi(event, body, repository, deliveryId);
    case 'status':
      return mapStatus(body, repository);
    default:
      return mapPullRequestFamily(event, body, repository);
  }
}
