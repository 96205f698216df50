import { getBotState, hasNewerPrRequest, listEvents, newestPrRequestId, prRequestsAfter, runsChangedSince, setBotState, type ChangedRun } from '@agentpr/store';
import { encodeButtonData, isTransientTelegramError, splitMessage, type ChatClient, type InlineButton, type TelegramAuditLog } from '@agentpr/telegram';
import { failingTests, type AppContext, type ApprovePr, type InboxFailingTest } from '@agentpr/orchestrator';
import { botStateKeys } from './bot-state-keys.js';
import type { BotReply } from './bot-commands.js';
import { approvalCard } from './card-taps.js';
import { expiryText } from './expiry-text.js';

/** States that need a human or close a run, announced once per state change. */
export const NOTIFY_STATES = ['NEEDS_HUMAN_REVIEW', 'DONE', 'FAILED_TERMINAL'] as const;

/** One announcement for the admin chats. */
export interface RunNotification {
  runId: string;
  /** The state announced, or `pr_request`. */
  reason: (typeof NOTIFY_STATES)[number] | 'pr_request';
  text: string;
  buttons: InlineButton[][];
  /** Stores that this one was sent (cursor and per-run marker). */
  commit: () => Promise<void>;
}

/** What one notification scan did. */
export interface NotifyResult {
  /** Notifications delivered to at least one admin chat. */
  sent: number;
  /** Notifications left for the next scan because every send failed transiently. */
  deferred: number;
}

interface StateCursor {
  at: string;
  run_id: string;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function buttonsFor(runId: string, actions: Array<['show' | 'pause' | 'approve', string]>): InlineButton[][] {
  const row: InlineButton[] = [];
  for (const [action, text] of actions) {
    const data = encodeButtonData(action, runId);
    if (data) row.push({ text, callbackData: data });
  }
  return row.length > 0 ? [row] : [];
}

/**
 * Starts the notifier's cursors at "now" the first time a bot runs, so that a fresh bot on an old database does
 * not announce every run that ever needed a human.
 */
export async function initNotificationCursors(ctx: AppContext, botId: string): Promise<void> {
  if ((await getBotState(ctx.db, botStateKeys.stateCursor(botId))) === undefined) {
    const cursor: StateCursor = { at: ctx.clock().toISOString(), run_id: '' };
    await setBotState(ctx.db, botStateKeys.stateCursor(botId), JSON.stringify(cursor));
  }
  if ((await getBotState(ctx.db, botStateKeys.prRequestCursor(botId))) === undefined) {
    await setBotState(ctx.db, botStateKeys.prRequestCursor(botId), String(await newestPrRequestId(ctx.db)));
  }
}

/** Whether the run's latest CI verdict failed and nothing was pushed since: the escalation was about CI. */
async function failedOnCi(ctx: AppContext, runId: string): Promise<boolean> {
  const events = await listEvents(ctx.db, runId, { limit: 30 });
  for (const e of events) {
    if (e.event_type === 'worker.push.completed') return false;
    if (e.event_type === 'github.check.completed') {
      const conclusion = String(e.payload.conclusion ?? '').toLowerCase();
      return !['success', 'neutral', 'skipped'].includes(conclusion);
    }
  }
  return false;
}

type NotifiableRun = ChangedRun;

function failingTestText(tests: readonly InboxFailingTest[]): string {
  const test = tests[0];
  if (!test) return '';
  const excerpt = test.excerpt ? `\n  ${test.excerpt.replace(/\s+/g, ' ').slice(0, 200)}` : '';
  return `\nFailing test: ${test.name}${test.before_agent ? ' (it failed before the agent too)' : ''}${excerpt}`;
}

function stateText(row: NotifiableRun, ciFailed: boolean, tests: readonly InboxFailingTest[] = []): string {
  const repo = `${row.owner}/${row.repo}`;
  const reason = row.last_error ? `\nReason: ${row.last_error.length > 600 ? `${row.last_error.slice(0, 599)}…` : row.last_error}` : '';
  switch (row.current_state) {
    case 'NEEDS_HUMAN_REVIEW': {
      const head = ciFailed ? `CI failed after the retry cap: ${row.run_id} (${repo}) needs a human.` : `${row.run_id} (${repo}) needs a human: NEEDS_HUMAN_REVIEW.`;
      const stage = row.last_active_state ? `\nLast stage: ${row.last_active_state}` : '';
      return `${head}${reason}${failingTestText(tests)}${stage}\nNext: /show ${row.run_id}, /retry ${row.run_id} <target_state>, or /pause ${row.run_id}.`;
    }
    case 'DONE':
      return `${row.run_id} (${repo}) is DONE${row.pr_number !== null ? `: PR #${row.pr_number}` : ''}.`;
    default:
      return `${row.run_id} (${repo}) failed for good: FAILED_TERMINAL.${reason}`;
  }
}

/**
 * Finds what the admin chats should hear about: runs that entered `NEEDS_HUMAN_REVIEW` (flagged when a failed CI
 * verdict after the retry cap caused it; else with the failing test the run digest names), `DONE` or
 * `FAILED_TERMINAL`, and new PR-open requests waiting for approval, each as its approval card (Approve, Reject).
 * A state change is `runs.updated_at`, which moves only when the state (or PR number) changes, so each change is
 * announced at most once; the per-run marker in `bot_state` keeps it so even if the cursor is reset. Returns them
 * oldest first, each with a `commit` to call once it was delivered.
 */
export async function collectRunNotifications(
  ctx: AppContext,
  botId: string,
  options: { limit?: number | undefined; approvePr?: ApprovePr | undefined } = {},
): Promise<RunNotification[]> {
  const limit = options.limit ?? 50;
  const out: RunNotification[] = [];
  const cursor = parseJson<StateCursor>(await getBotState(ctx.db, botStateKeys.stateCursor(botId))) ?? { at: ctx.clock().toISOString(), run_id: '' };
  const rows = await runsChangedSince(ctx.db, cursor, NOTIFY_STATES, limit);
  for (const row of rows) {
    const markerKey = botStateKeys.notified(botId, row.run_id);
    const marker = parseJson<{ state: string; changed_at: string }>(await getBotState(ctx.db, markerKey));
    const nextCursor = JSON.stringify({ at: row.updated_at, run_id: row.run_id } satisfies StateCursor);
    const advance = () => setBotState(ctx.db, botStateKeys.stateCursor(botId), nextCursor);
    if (marker && marker.state === row.current_state && marker.changed_at === row.updated_at) {
      out.push({ runId: row.run_id, reason: row.current_state as RunNotification['reason'], text: '', buttons: [], commit: advance });
      continue;
    }
    const ciFailed = row.current_state === 'NEEDS_HUMAN_REVIEW' && (await failedOnCi(ctx, row.run_id));
    const tests = row.current_state === 'NEEDS_HUMAN_REVIEW' && !ciFailed ? await failingTests(ctx, row.run_id) : [];
    const [latest] = await listEvents(ctx.db, row.run_id, { limit: 1 });
    const actions: Array<['show' | 'pause', string]> = row.current_state === 'NEEDS_HUMAN_REVIEW' ? [['show', 'Show'], ['pause', 'Pause']] : [['show', 'Show']];
    out.push({
      runId: row.run_id,
      reason: row.current_state as RunNotification['reason'],
      text: stateText(row, ciFailed, tests),
      buttons: buttonsFor(row.run_id, actions),
      commit: async () => {
        await setBotState(ctx.db, markerKey, JSON.stringify({ state: row.current_state, changed_at: row.updated_at, event_id: latest?.event_id ?? null }));
        await advance();
      },
    });
  }

  const prCursor = Number((await getBotState(ctx.db, botStateKeys.prRequestCursor(botId))) ?? '0') || 0;
  const requests = await prRequestsAfter(ctx.db, prCursor, limit);
  for (const r of requests) {
    const id = r.id;
    const advance = () => setBotState(ctx.db, botStateKeys.prRequestCursor(botId), String(id));
    const newer = await hasNewerPrRequest(ctx.db, r.run_id, id);
    if (r.current_state !== 'PUSHED' || r.consumed_at !== null || newer) {
      out.push({ runId: r.run_id, reason: 'pr_request', text: '', buttons: [], commit: advance });
      continue;
    }
    // A card that cannot be built (e.g. the run's workspace is gone) still announces the request.
    const failed = (error: unknown): BotReply => ({ text: String(error), outcome: 'error', detail: 'card_failed' });
    const card = await approvalCard(ctx, { botId, approvePr: options.approvePr }, id).catch(failed);
    const text =
      card.outcome === 'ok'
        ? `New PR request, waiting for approval.\n${card.text}`
        : `${r.run_id} (${r.owner}/${r.repo}) asks to open a PR: ${r.head} → ${r.base}, request expires ${expiryText(r.expires_at, ctx.clock())}.\n`
          + `Approve with agentpr approve-open-pr (this bot cannot approve).`;
    out.push({ runId: r.run_id, reason: 'pr_request', text, buttons: card.buttons ?? [], commit: advance });
  }
  return out;
}

/**
 * Sends pending notifications to every admin chat. Each is committed after its sends, so a restart does not
 * repeat it; when every send of one failed transiently (Telegram unreachable) the scan stops there and the next
 * scan tries again. Permanent send failures (e.g. the bot was blocked in a chat) are audited as `send_error`.
 */
export async function notifyRuns(
  ctx: AppContext,
  input: { botId: string; chatIds: readonly number[]; chat: ChatClient; audit: TelegramAuditLog; limit?: number; approvePr?: ApprovePr | undefined },
): Promise<NotifyResult> {
  const result: NotifyResult = { sent: 0, deferred: 0 };
  if (input.chatIds.length === 0) return result;
  const pending = await collectRunNotifications(ctx, input.botId, { limit: input.limit, approvePr: input.approvePr });
  for (let i = 0; i < pending.length; i++) {
    const n = pending[i]!;
    if (!n.text) {
      await n.commit();
      continue;
    }
    let delivered = 0;
    let transient = 0;
    for (const chatId of input.chatIds) {
      try {
        const parts = splitMessage(n.text);
        for (let p = 0; p < parts.length; p++) {
          await input.chat.sendMessage({ chatId, text: parts[p]!, buttons: p === parts.length - 1 ? n.buttons : undefined });
        }
        delivered++;
        input.audit.notification({ chat_id: chatId, run_id: n.runId, reason: n.reason, outcome: 'ok', detail: '' });
      } catch (error) {
        if (isTransientTelegramError(error)) transient++;
        input.audit.notification({ chat_id: chatId, run_id: n.runId, reason: n.reason, outcome: 'send_error', detail: (error as Error).message });
      }
    }
    if (delivered === 0 && transient === input.chatIds.length) {
      result.deferred = pending.slice(i).filter((p) => p.text).length;
      break;
    }
    await n.commit();
    if (delivered > 0) result.sent++;
  }
  return result;
}
