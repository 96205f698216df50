import { getBotState, hasNewerPrRequest, listEvents, newestPrRequestId, prRequestsAfter, runsChangedSince, setBotState, type ChangedRun } from '@agentpr/store';
import { encodeButtonData, isTransientTelegramError, splitMessage, type ChatClient, type InlineButton, type TelegramAuditLog } from '@agentpr/telegram';
import { boundedCheckNames, failingTests, type AppContext, type ApprovePr, type InboxFailingTest } from '@agentpr/orchestrator';
import { botStateKeys } from './bot-state-keys.js';
import type { BotReply } from './bot-commands.js';
import { approvalCard } from './card-taps.js';
import { expiryText } from './expiry-text.js';

/**
 * States announced once per state change: those that need a human or close a run, and `ITERATING`, announced
 * (as `ci_red`) only when a failed CI verdict sent the run there.
 */
export const NOTIFY_STATES = ['NEEDS_HUMAN_REVIEW', 'DONE', 'FAILED_TERMINAL', 'ITERATING'] as const;

/** Most failing check names one notification lists; the rest are counted. */
const MAX_NAMED_CHECKS = 5;

/** One announcement for the admin chats. */
export interface RunNotification {
  runId: string;
  /** The state announced, `ci_red` (a run that went red and waits for a fix round), or `pr_request`. */
  reason: Exclude<(typeof NOTIFY_STATES)[number], 'ITERATING'> | 'ci_red' | 'pr_request';
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

/** The run's latest CI verdict since its latest push: red or not, and the failing checks' names it recorded. */
interface CiVerdict {
  red: boolean;
  checks: string[];
  prNumber: number | null;
}

/** Reads {@link CiVerdict} from the run's newest events: a push since the last verdict means no verdict yet. */
async function latestCiVerdict(ctx: AppContext, runId: string): Promise<CiVerdict> {
  const events = await listEvents(ctx.db, runId, { limit: 30 });
  for (const e of events) {
    if (e.event_type === 'worker.push.completed') break;
    if (e.event_type === 'github.check.completed') {
      const conclusion = String(e.payload.conclusion ?? '').toLowerCase();
      const red = !['success', 'neutral', 'skipped'].includes(conclusion);
      const names = Array.isArray(e.payload.failing_checks) ? boundedCheckNames(e.payload.failing_checks) : [];
      return { red, checks: red ? names : [], prNumber: typeof e.payload.pr_number === 'number' ? e.payload.pr_number : null };
    }
  }
  return { red: false, checks: [], prNumber: null };
}

/** What a state change is announced as: its state, or `ci_red` for ITERATING. */
function reasonOf(row: NotifiableRun): RunNotification['reason'] {
  return row.current_state === 'ITERATING' ? 'ci_red' : (row.current_state as RunNotification['reason']);
}

/** `a, b, c (+2 more)`, or null when no names were recorded. */
function checkList(checks: readonly string[]): string | null {
  if (checks.length === 0) return null;
  const more = checks.length > MAX_NAMED_CHECKS ? ` (+${checks.length - MAX_NAMED_CHECKS} more)` : '';
  return `${checks.slice(0, MAX_NAMED_CHECKS).join(', ')}${more}`;
}

/** The short notice for a run that went red: `CI failed on <repo>#<pr>: <checks> — agentpr inspect-run --run-id X`. */
function ciRedText(row: NotifiableRun, ci: CiVerdict): string {
  const pr = ci.prNumber ?? row.pr_number;
  const where = `${row.owner}/${row.repo}${pr !== null ? `#${pr}` : ''}`;
  const checks = checkList(ci.checks);
  return `CI failed on ${where}${checks ? `: ${checks}` : ' (check names not recorded)'} — agentpr inspect-run --run-id ${row.run_id}`;
}

type NotifiableRun = ChangedRun;

function failingTestText(tests: readonly InboxFailingTest[]): string {
  const test = tests[0];
  if (!test) return '';
  const excerpt = test.excerpt ? `\n  ${test.excerpt.replace(/\s+/g, ' ').slice(0, 200)}` : '';
  return `\nFailing test: ${test.name}${test.before_agent ? ' (it failed before the agent too)' : ''}${excerpt}`;
}

function stateText(row: NotifiableRun, ci: CiVerdict, tests: readonly InboxFailingTest[] = []): string {
  const repo = `${row.owner}/${row.repo}`;
  const reason = row.last_error ? `\nReason: ${row.last_error.length > 600 ? `${row.last_error.slice(0, 599)}…` : row.last_error}` : '';
  switch (row.current_state) {
    case 'NEEDS_HUMAN_REVIEW': {
      const head = ci.red ? `CI failed after the retry cap: ${row.run_id} (${repo}) needs a human.` : `${row.run_id} (${repo}) needs a human: NEEDS_HUMAN_REVIEW.`;
      const stage = row.last_active_state ? `\nLast stage: ${row.last_active_state}` : '';
      const checks = ci.red ? `\nFailing checks: ${checkList(ci.checks) ?? 'not recorded'}` : '';
      return `${head}${reason}${checks}${failingTestText(tests)}${stage}\nNext: /show ${row.run_id}, /retry ${row.run_id} <target_state>, or /pause ${row.run_id}.`;
    }
    case 'ITERATING':
      return ciRedText(row, ci);
    case 'DONE':
      return `${row.run_id} (${repo}) is DONE${row.pr_number !== null ? `: PR #${row.pr_number}` : ''}.`;
    default:
      return `${row.run_id} (${repo}) failed for good: FAILED_TERMINAL.${reason}`;
  }
}

/**
 * Finds what the admin chats should hear about: runs that entered `NEEDS_HUMAN_REVIEW` (flagged when a failed CI
 * verdict after the retry cap caused it, with the failing checks it recorded; else with the failing test the run
 * digest names), `DONE` or `FAILED_TERMINAL`; runs a failed CI verdict sent to `ITERATING` (the failing checks and
 * the inspect-run command; `ITERATING` for any other reason is passed over silently); and new PR-open requests
 * waiting for approval, each as its approval card (Approve, Reject).
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
      out.push({ runId: row.run_id, reason: reasonOf(row), text: '', buttons: [], commit: advance });
      continue;
    }
    const needsCi = row.current_state === 'NEEDS_HUMAN_REVIEW' || row.current_state === 'ITERATING';
    const ci = needsCi ? await latestCiVerdict(ctx, row.run_id) : { red: false, checks: [], prNumber: null };
    const reason = reasonOf(row);
    if (row.current_state === 'ITERATING' && !ci.red) {
      // A review or a retry sent it there: nothing to announce, only the cursor moves.
      out.push({ runId: row.run_id, reason, text: '', buttons: [], commit: advance });
      continue;
    }
    const tests = row.current_state === 'NEEDS_HUMAN_REVIEW' && !ci.red ? await failingTests(ctx, row.run_id) : [];
    const [latest] = await listEvents(ctx.db, row.run_id, { limit: 1 });
    const actions: Array<['show' | 'pause', string]> = needsCi ? [['show', 'Show'], ['pause', 'Pause']] : [['show', 'Show']];
    out.push({
      runId: row.run_id,
      reason,
      text: stateText(row, ci, tests),
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
