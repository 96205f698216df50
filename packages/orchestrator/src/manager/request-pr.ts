import type { RunState } from '@agentpr/state-machine';
import type { GateName } from '../citizenship/gate-types.js';
import type { AppContext } from '../context.js';
import { errorFacts } from '../errors.js';
import { requestOpenPr } from '../pr-gate/request-open-pr.js';
import { escalate, type ActionOutcome } from './actions.js';

/** What the manager's PR request did. Never holds the confirm token: the tick report is logged. */
export type ManagerPrRequest =
  | { kind: 'requested'; request_file: string; expires_at: string; title: string; base: string; head: string }
  | { kind: 'refused'; code: string; reason: string; escalated_to: RunState }
  /**
   * A gate stopped the request (nothing written): `held` leaves the run PUSHED until `frees_at` (the manager waits,
   * see decide), `blocked` moved it to NEEDS_HUMAN_REVIEW, `skip_run` ended it as SKIPPED.
   */
  | { kind: 'gated'; gate: GateName; outcome: 'held' | 'blocked' | 'skip_run'; reason_code: string | null; message: string; frees_at: string | null; state: RunState };

/**
 * Refusals a human must act on (the DoD or the PR text fails, the branch is not the pushed head, the workspace is
 * gone, bad configuration). Anything else (GitHub or I/O trouble, a held lease) is a failed action, tried again
 * after the backoff.
 */
const NEEDS_A_HUMAN: ReadonlySet<string> = new Set(['refused', 'gate_failed', 'invalid_input', 'not_found', 'config', 'usage']);

/**
 * The manager at PUSHED (issue 15): writes the PR request through the PR gate's own use case (title and body
 * rendered from the campaign template, bound to the pushed head, a single-use confirm token stored only as its hash),
 * which the notifier announces and a human approves. A refusal escalates the run with the reason. A gate that stops
 * the request is reported as `gated` (the gates already moved a blocked or skipped run). The token is
 * dropped here: the human approves on the Telegram card or re-issues the request to get one.
 *
 * @example
 * const outcome = await requestPrForRun(ctx, 'run_1'); // { kind: 'done', detail: { step: 'pr_request', result: { kind: 'requested', … } } }
 */
export async function requestPrForRun(ctx: AppContext, runId: string): Promise<ActionOutcome> {
  try {
    const request = await requestOpenPr(ctx, { runId });
    if (request.kind === 'gated') {
      const { gate, outcome, reason_code, message, frees_at, state } = request;
      return { kind: 'done', detail: { step: 'pr_request', result: { kind: 'gated', gate, outcome, reason_code, message, frees_at, state } } };
    }
    const { title, base, head } = request.preview;
    const result: ManagerPrRequest = { kind: 'requested', request_file: request.request_file, expires_at: request.expires_at, title, base, head };
    return { kind: 'done', detail: { step: 'pr_request', result } };
  } catch (error) {
    const { code, message } = errorFacts(error);
    if (!NEEDS_A_HUMAN.has(code)) return { kind: 'failed', code, error: message };
    const escalated = await escalate(ctx, runId, `PR request refused: ${message}`);
    if (escalated.kind === 'failed') return escalated;
    const state = escalated.detail.step === 'event' ? escalated.detail.state : 'NEEDS_HUMAN_REVIEW';
    return { kind: 'done', detail: { step: 'pr_request', result: { kind: 'refused', code, reason: message, escalated_to: state } } };
  }
}
