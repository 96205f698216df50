import type { AppContext } from '../context.js';
import type { PrRequestDecisionInput, RejectPrRequestResult } from '../pr-gate/approve-pr-request.js';
import type { ApproveOpenPrResult } from '../pr-gate/approve-open-pr.js';
import type { PrRequestCard } from './pr-request-card.js';

/**
 * The PR-approval use cases the Telegram bot calls in process: read a request's card, approve a
 * confirmed card (bound to its request and head SHA, single use), or reject it. Refusals throw `AgentprError`
 * with a one-line message the bot shows as it is.
 */
export interface ApprovePr {
  card(ctx: AppContext, requestId: number): Promise<PrRequestCard>;
  approve(ctx: AppContext, input: PrRequestDecisionInput): Promise<ApproveOpenPrResult>;
  reject(ctx: AppContext, input: PrRequestDecisionInput): Promise<RejectPrRequestResult>;
}
