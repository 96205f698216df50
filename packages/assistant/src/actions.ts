import * as v from 'valibot';
import { getAssistantActionByTokenHash, iso, settleAssistantAction, type AssistantActionRecord } from '@agentpr/store';
import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import type { ActionDecision, ActionResult, AssistantDeps } from './ask-types.js';
import { CONFIRM_TOKEN_PATTERN, tokenHash } from './pending-actions.js';
import { oneLine, tierAllows } from './text.js';
import { expectedFailure } from './tool-call.js';
import type { AssistantTool } from './tool.js';

type Refusal = Extract<ActionResult, { kind: 'refused' }>;

function audit(deps: AssistantDeps, row: AssistantActionRecord, outcome: 'confirmed' | 'cancelled' | 'refused' | 'failed', detail: string): void {
  deps.audit.write({ kind: 'assistant_action', action_id: row.action_id, request_id: row.request_id, user_key: row.user_key, tool: row.tool, outcome, detail: oneLine(detail, 300) });
}

/** Why the stored action may not be decided now (other user, used, expired), or undefined. */
async function refusalFor(ctx: AppContext, row: AssistantActionRecord, decision: ActionDecision): Promise<Refusal | undefined> {
  if (row.user_key !== decision.userKey) return { kind: 'refused', reason: 'other_user', text: 'Only the person who asked can confirm or cancel this.' };
  if (row.status !== 'pending') return { kind: 'refused', reason: 'used', text: `This was already ${row.status === 'cancelled' ? 'cancelled' : 'confirmed'}: ${row.summary}.` };
  const now = iso(ctx.clock());
  if (now >= row.expires_at) {
    await settleAssistantAction(ctx.db, row.action_id, { from: 'pending', to: 'cancelled', decidedAt: now, resultText: 'expired' });
    return { kind: 'refused', reason: 'expired', text: `This confirmation expired; nothing ran (${row.summary}). Ask again.` };
  }
  return undefined;
}

/**
 * The pending action a decision's token names, or the refusal (audited when it names a stored action: an unknown
 * token names none, and the token itself is never audited).
 */
async function decidable(ctx: AppContext, deps: AssistantDeps, decision: ActionDecision): Promise<AssistantActionRecord | Refusal> {
  const row = CONFIRM_TOKEN_PATTERN.test(decision.token) ? await getAssistantActionByTokenHash(ctx.db, tokenHash(decision.token)) : undefined;
  if (!row) return { kind: 'refused', reason: 'unknown', text: 'This confirmation is unknown. Ask again to get a new one.' };
  const refusal = await refusalFor(ctx, row, decision);
  if (!refusal) return row;
  audit(deps, row, 'refused', `${refusal.reason} (by ${decision.userKey})`);
  return refusal;
}

/** Runs a claimed action with its stored arguments, validated again by the tool's schema. */
async function execute(ctx: AppContext, deps: AssistantDeps, row: AssistantActionRecord, tool: AssistantTool): Promise<ActionResult> {
  const { redact } = redactorFor(ctx);
  const settle = (to: 'done' | 'failed', text: string) => settleAssistantAction(ctx.db, row.action_id, { from: 'running', to, decidedAt: iso(ctx.clock()), resultText: text });
  let args: unknown;
  try {
    args = JSON.parse(row.args_json);
  } catch {
    args = undefined;
  }
  const parsed = v.safeParse(tool.args, args);
  if (!parsed.success) {
    const text = `The stored arguments of ${row.tool} no longer pass its checks; nothing ran.`;
    await settle('failed', text);
    audit(deps, row, 'failed', text);
    return { kind: 'failed', actionId: row.action_id, text };
  }
  try {
    const output = await tool.run(ctx, parsed.output, deps.runtime);
    const text = redact(oneLine(output.summary, 500));
    await settle('done', text);
    audit(deps, row, 'confirmed', text);
    return { kind: 'done', actionId: row.action_id, tool: row.tool, text: `Done: ${text}` };
  } catch (error) {
    const line = expectedFailure(error);
    if (line === undefined) ctx.log.error('assistant action failed unexpectedly', { action_id: row.action_id, tool: row.tool, error: redact(String(error)) });
    const text = redact(line ?? `${row.tool} failed unexpectedly`);
    await settle('failed', text);
    audit(deps, row, 'failed', text);
    return { kind: 'failed', actionId: row.action_id, text: `Failed: ${row.summary}: ${text}` };
  }
}

/**
 * Confirms a pending write: the token's hash finds it; it must be pending, unexpired, confirmed by the person who
 * asked, whose tier still allows the tool. It is claimed once (a compare-and-set, so two taps run it once), its
 * stored arguments are validated again, and the tool runs. Every decision is audited; the token never is.
 *
 * @example
 * const result = await confirmAction(ctx, deps, { token, userKey: 'telegram:42:7', tier: 'write' });
 */
export async function confirmAction(ctx: AppContext, deps: AssistantDeps, decision: ActionDecision): Promise<ActionResult> {
  const found = await decidable(ctx, deps, decision);
  if ('kind' in found) return found;
  const tool = deps.tools.find((t) => t.name === found.tool);
  if (!tool || tool.effect !== 'write') {
    audit(deps, found, 'refused', 'the tool is no longer offered');
    return { kind: 'refused', reason: 'unknown', text: `${found.tool} is not available any more; nothing ran.` };
  }
  if (!tierAllows(decision.tier, tool.tier)) {
    audit(deps, found, 'refused', `tier ${decision.tier} < ${tool.tier}`);
    return { kind: 'refused', reason: 'tier', text: `This chat now has ${decision.tier} permission; ${tool.name} needs ${tool.tier}. Nothing ran.` };
  }
  const claimed = await settleAssistantAction(ctx.db, found.action_id, { from: 'pending', to: 'running', decidedAt: iso(ctx.clock()) });
  if (!claimed) return { kind: 'refused', reason: 'used', text: `This was already decided: ${found.summary}.` };
  return execute(ctx, deps, found, tool);
}

/** Cancels a pending write (same checks as {@link confirmAction} except the tier: anyone may take back their own ask). */
export async function cancelAction(ctx: AppContext, deps: AssistantDeps, decision: ActionDecision): Promise<ActionResult> {
  const found = await decidable(ctx, deps, decision);
  if ('kind' in found) return found;
  const cancelled = await settleAssistantAction(ctx.db, found.action_id, { from: 'pending', to: 'cancelled', decidedAt: iso(ctx.clock()), resultText: 'cancelled' });
  if (!cancelled) return { kind: 'refused', reason: 'used', text: `This was already decided: ${found.summary}.` };
  audit(deps, found, 'cancelled', `by ${decision.userKey}`);
  return { kind: 'cancelled', actionId: found.action_id, text: `Cancelled: ${found.summary}. Nothing ran.` };
}
