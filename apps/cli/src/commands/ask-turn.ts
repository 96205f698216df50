import type { ActionResult, AskResult, PendingAction, Requester } from '@agentpr/assistant';
import type { CommandStatus } from '../errors.js';
import type { CliAssistant } from './ask-setup.js';

/** How the writes a turn proposes are decided: `--yes`, a y/N question on a terminal, or not at all (no terminal). */
export type Confirmation =
  | { kind: 'yes_flag' }
  | { kind: 'prompt'; question(text: string): Promise<string | null> }
  | { kind: 'unavailable' };

/** A proposed write and what became of it; never its token. */
export interface SettledAction {
  action_id: string;
  tool: string;
  summary: string;
  /** `not_run`: no terminal to ask on and no `--yes`; the action was cancelled. */
  status: ActionResult['kind'] | 'not_run';
  /** What the confirmation or cancellation said ("Done: run_…: PAUSED (was IMPLEMENTING)"). */
  result: string;
}

/** The JSON of one turn (`agentpr ask --json`). */
export interface AskOutput {
  request_id: string;
  kind: AskResult['kind'];
  reply: string;
  budget?: string;
  actions: SettledAction[];
  usage: { input_tokens: number; output_tokens: number; tool_calls: number; cost_usd: number };
}

/** Whether a y/N answer is a yes. */
function isYes(answer: string | null): boolean {
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

/** One line for a write nobody could confirm. */
export function notRunLine(summary: string): string {
  return `not run: ${summary} needs a confirmation; rerun with --yes or on a terminal`;
}

/**
 * Decides each pending write of a turn: `--yes` confirms, a terminal asks "<summary>? [y/N]" (only y or yes
 * confirms), and without either the action is cancelled and reported `not_run`. Confirming runs the arguments the
 * engine stored when the model asked, never new ones.
 */
export async function settleActions(cli: CliAssistant, actions: readonly PendingAction[], confirmation: Confirmation): Promise<SettledAction[]> {
  const settled: SettledAction[] = [];
  for (const action of actions) {
    const decision = { token: action.token, userKey: cli.requester.userKey, tier: cli.requester.tier };
    const yes = confirmation.kind === 'yes_flag' || (confirmation.kind === 'prompt' && isYes(await confirmation.question(`${action.summary}? [y/N] `)));
    const result = yes ? await cli.assistant.confirm(decision) : await cli.assistant.cancel(decision);
    const status = confirmation.kind === 'unavailable' && result.kind === 'cancelled' ? 'not_run' : result.kind;
    settled.push({ action_id: action.actionId, tool: action.tool, summary: action.summary, status, result: result.text });
  }
  return settled;
}

/** The JSON of a turn. */
export function askOutput(result: AskResult, actions: SettledAction[]): AskOutput {
  return {
    request_id: result.requestId,
    kind: result.kind,
    reply: result.reply,
    ...(result.kind === 'budget_exhausted' ? { budget: result.budget } : {}),
    actions,
    usage: {
      input_tokens: result.usage.inputTokens,
      output_tokens: result.usage.outputTokens,
      tool_calls: result.usage.toolCalls,
      cost_usd: result.usage.costUsd,
    },
  };
}

/**
 * The status of a turn: the model unavailable → `failed`; a write left unconfirmed for want of a terminal → `usage`;
 * a budget ran out → `busy`; a confirmed write that failed or was refused → `failed`; else `ok`.
 */
export function turnStatus(result: AskResult, actions: readonly SettledAction[]): CommandStatus {
  if (result.kind === 'model_unavailable') return 'failed';
  if (actions.some((a) => a.status === 'not_run')) return 'usage';
  if (result.kind === 'budget_exhausted') return 'busy';
  if (actions.some((a) => a.status === 'failed' || a.status === 'refused')) return 'failed';
  return 'ok';
}

/** The lines a terminal shows for the decided writes ("Done: …", "Cancelled: …"); not-run ones go to stderr. */
export function actionLines(actions: readonly SettledAction[]): string[] {
  return actions.filter((a) => a.status !== 'not_run').map((a) => a.result);
}

/** Asks one question as `requester`. */
export function askOnce(cli: CliAssistant, question: string, history: readonly { question: string; reply: string }[], signal: AbortSignal): Promise<AskResult> {
  const requester: Requester = cli.requester;
  return cli.assistant.ask({ question, requester, history, signal });
}
