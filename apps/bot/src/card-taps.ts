import { StoreError } from '@agentpr/store';
import { encodeCardButton, type CardStep, type InlineButton } from '@agentpr/telegram';
import { AgentprError, gateWords, type AppContext, type ApprovePr } from '@agentpr/orchestrator';
import { createCard, createConfirmation, readCard, readConfirmation, saveCardRecord, type ApprovalCard } from './approval-cards.js';
import type { BotReply } from './bot-commands.js';
import { cardText, confirmText, shortSha, STATUS_NOTE } from './render-card.js';

/** What a card tap needs: the bot's id (the namespace of its cards) and the approval use cases. */
export interface CardDeps {
  botId: string;
  approvePr?: ApprovePr | undefined;
}

const reply = (text: string, outcome: BotReply['outcome'], detail: string, buttons?: InlineButton[][]): BotReply => ({ text, outcome, detail, buttons });

const UNAVAILABLE = reply('PR approval is not available in this bot; use agentpr approve-open-pr.', 'error', 'approve_unavailable');

/** A refusal of the use case as a one-line answer; the audit detail names its reason. */
function refusal(error: unknown): BotReply {
  if (error instanceof AgentprError || error instanceof StoreError) {
    const reason = error instanceof AgentprError && typeof error.details?.reason === 'string' ? error.details.reason : error.code;
    return reply(`Refused: ${error.message}`, 'error', `refused: ${reason}`);
  }
  throw error;
}

function usedText(card: ApprovalCard): string {
  return card.step === 'approved'
    ? `Already approved: ${card.pr_number !== null ? `PR #${card.pr_number} is open for ${card.repo}` : `the PR of ${card.repo} was opened`}. A request opens one PR.`
    : `Already rejected: the PR request of ${card.run_id} is closed. Ask again with agentpr request-open-pr --run-id ${card.run_id}.`;
}

/**
 * The approval card of a PR request: its text and, while the request is open, Approve and Reject buttons whose
 * `callback_data` is an opaque card id the bot maps to the request and its head SHA.
 */
export async function approvalCard(ctx: AppContext, deps: CardDeps, requestId: number): Promise<BotReply> {
  if (!deps.approvePr) return UNAVAILABLE;
  const card = await deps.approvePr.card(ctx, requestId);
  const text = cardText(card, ctx.clock());
  if (card.status !== 'open') return reply(text, 'ok', `card_${card.status}`);
  const id = await createCard(ctx, deps.botId, { request_id: card.request_id, run_id: card.run_id, repo: `${card.owner}/${card.repo}`, head_sha: card.head_sha });
  return reply(text, 'ok', 'card_shown', [[{ text: 'Approve', callbackData: encodeCardButton('approve', id) }, { text: 'Reject', callbackData: encodeCardButton('reject', id) }]]);
}

/** Approve: checks the request is still open at the card's head, then asks for the confirming tap. */
async function approveTap(ctx: AppContext, deps: CardDeps & { approvePr: ApprovePr }, cardId: string, card: ApprovalCard): Promise<BotReply> {
  const now = await deps.approvePr.card(ctx, card.request_id);
  if (now.head_sha.toLowerCase() !== card.head_sha.toLowerCase()) return reply(`Refused: stale card; the request is now for ${shortSha(now.head_sha)}.`, 'error', 'refused: stale');
  if (now.status !== 'open') return reply(`Refused: ${STATUS_NOTE[now.status]}`, 'error', `refused: ${now.status}`);
  const confirmId = await createConfirmation(ctx, deps.botId, cardId);
  const buttons = [[{ text: 'Confirm approve', callbackData: encodeCardButton('confirm', confirmId) }, { text: 'Cancel', callbackData: encodeCardButton('cancel', confirmId) }]];
  return reply(`${confirmText(card)}\nThis opens the PR on GitHub. The confirmation is valid for 5 min.`, 'ok', 'confirm_requested', buttons);
}

/** Confirm: single use; opens the PR through the use case, bound to the card's request and head SHA. */
async function confirmTap(ctx: AppContext, deps: CardDeps & { approvePr: ApprovePr }, confirmId: string): Promise<BotReply> {
  const confirmation = await readConfirmation(ctx, deps.botId, confirmId);
  if (!confirmation) return reply('This button is not known to this bot. Send /pending_pr for the waiting requests.', 'error', 'unknown_card');
  const card = await readCard(ctx, deps.botId, confirmation.card_id);
  if (!card) return reply('This button is not known to this bot. Send /pending_pr for the waiting requests.', 'error', 'unknown_card');
  if (card.step !== 'open') return reply(usedText(card), 'error', 'refused: used');
  if (confirmation.used) return reply('This confirmation was already used. Tap Approve on the card again.', 'error', 'refused: used');
  if (Date.parse(confirmation.expires_at) < ctx.clock().getTime()) return reply('This confirmation expired. Tap Approve on the card again.', 'error', 'refused: confirm_expired');
  await saveCardRecord(ctx, deps.botId, confirmId, { ...confirmation, used: true });
  try {
    const result = await deps.approvePr.approve(ctx, { requestId: card.request_id, headSha: card.head_sha });
    if (result.kind === 'gated') return gatedReply(card, result);
    await saveCardRecord(ctx, deps.botId, confirmation.card_id, { ...card, step: 'approved', pr_number: result.pr_number });
    if (result.kind === 'already_linked') return reply(`Already open: PR #${result.pr_number} of ${card.repo}; run ${card.run_id} is ${result.state}.`, 'ok', 'approved');
    const url = result.pr_url ? `: ${result.pr_url}` : '';
    const how = result.kind === 'opened' ? 'Opened' : 'Found open';
    return reply(`${how} PR #${result.pr_number} for ${card.repo}${url}\nRun ${card.run_id} is now ${result.state}.`, 'ok', 'approved');
  } catch (error) {
    return refusal(error);
  }
}

/**
 * A gate stopped the approval just before the PR opened: held (a PR limit or the schedule window; the request stays
 * open, so Approve works again once it frees) or the run was skipped. The line is the one the CLI prints.
 */
function gatedReply(card: ApprovalCard, stop: Extract<Awaited<ReturnType<ApprovePr['approve']>>, { kind: 'gated' }>): BotReply {
  const said = gateWords(stop.verdict, { withFlags: false });
  if (stop.outcome === 'held') {
    const when = stop.frees_at ? `tap Approve again after ${stop.frees_at}` : 'tap Approve again later';
    return reply(`Not opened yet for ${card.repo}: held by the ${stop.gate} gate: ${said}. The request stays valid: ${when}.`, 'error', `held: ${stop.reason_code ?? stop.gate}`);
  }
  return reply(`Not opened for ${card.repo}: ${stop.message}`, 'error', `gated: ${stop.reason_code ?? stop.gate}`);
}

/** Reject: closes the request without opening a PR; the run stays PUSHED. */
async function rejectTap(ctx: AppContext, deps: CardDeps & { approvePr: ApprovePr }, cardId: string, card: ApprovalCard): Promise<BotReply> {
  try {
    await deps.approvePr.reject(ctx, { requestId: card.request_id, headSha: card.head_sha });
  } catch (error) {
    return refusal(error);
  }
  await saveCardRecord(ctx, deps.botId, cardId, { ...card, step: 'rejected' });
  return reply(`Rejected: no PR opened for ${card.repo}; run ${card.run_id} stays PUSHED. Ask again with agentpr request-open-pr --run-id ${card.run_id}.`, 'ok', 'rejected');
}

/**
 * Answers a tap on an approval card (the caller has checked that the sender may approve): Approve asks for a
 * confirming tap, Confirm opens the PR (single use, bound to the card's request and head SHA), Cancel drops the
 * confirmation, Reject closes the request. Every refusal is a one-line reply with `outcome: 'error'`.
 */
export async function handleCardTap(ctx: AppContext, deps: CardDeps, step: CardStep, id: string): Promise<BotReply> {
  const { approvePr } = deps;
  if (!approvePr) return UNAVAILABLE;
  const withApprove = { ...deps, approvePr };
  switch (step) {
    case 'confirm':
      return confirmTap(ctx, withApprove, id);
    case 'cancel': {
      const confirmation = await readConfirmation(ctx, deps.botId, id);
      if (confirmation) await saveCardRecord(ctx, deps.botId, id, { ...confirmation, used: true });
      return reply('Cancelled: nothing was opened. The request still waits; tap Approve on its card to start again.', 'ok', 'cancelled');
    }
    case 'approve':
    case 'reject': {
      const card = await readCard(ctx, deps.botId, id);
      if (!card) return reply('This button is not known to this bot. Send /pending_pr for the waiting requests.', 'error', 'unknown_card');
      if (card.step !== 'open') return reply(usedText(card), 'error', 'refused: used');
      return step === 'approve' ? approveTap(ctx, withApprove, id, card) : rejectTap(ctx, withApprove, id, card);
    }
    default: {
      const never: never = step;
      return never;
    }
  }
}
