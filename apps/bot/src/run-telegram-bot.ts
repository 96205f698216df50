import { setTimeout as delay } from 'node:timers/promises';
import { getBotState, setBotState } from '@agentpr/store';
import {
  parseUpdate,
  SlidingWindowRateLimiter,
  StrangerAuditSampler,
  TelegramError,
  type ChatAcl,
  type ChatClient,
  type TelegramAuditLog,
  type TelegramBotSettings,
} from '@agentpr/telegram';
import { AgentprError, type AppContext, type ApprovePr } from '@agentpr/orchestrator';
import { AssistantChat, type BotAssistant } from './assistant-chat.js';
import { botStateKeys } from './bot-state-keys.js';
import { createSendReply, errorText, type BotSession, type TelegramBotSummary } from './bot-session.js';
import { handleCallback } from './handle-callback.js';
import { handleMessage } from './handle-message.js';
import type { NotifyResult } from './notify-runs.js';
import { startNotifier } from './run-notifier.js';

export { MAX_COMMAND_LENGTH } from './handle-message.js';

/** How the bot runs. Build `acl` with `createChatAcl` and `audit` with `TelegramAuditLog`. */
export interface TelegramBotOptions {
  /** The numeric prefix of the token (`botIdFromToken`): the key of the stored offset. */
  botId: string;
  acl: ChatAcl;
  /** `rateLimitStrangers` defaults to 20 per window. */
  settings: Pick<TelegramBotSettings, 'pollTimeoutSec' | 'idleSleepSec' | 'listLimit' | 'rateLimitWindowSec' | 'rateLimitPerChat' | 'rateLimitGlobal'> &
    Partial<Pick<TelegramBotSettings, 'rateLimitStrangers'>>;
  audit: TelegramAuditLog;
  /** Aborting stops the bot after the update in hand: its reply is sent and the offset is stored. */
  signal: AbortSignal;
  /** The approval use cases (card, approve, reject); without them `/approve_pr` and the card buttons say approval is not available. */
  approvePr?: ApprovePr | undefined;
  /** The manager LLM for plain-word messages; without it they are answered with how to configure one. */
  assistant?: BotAssistant | undefined;
  /** Push notifications to the admin chats (default on). */
  notifications?: boolean | undefined;
  /** Time between notification scans. Default 15 s. */
  notifyIntervalMs?: number | undefined;
  /** Called after each notification scan that completed, with what it sent (tests wait on it instead of sleeping). */
  onNotifyScan?: ((result: NotifyResult) => void) | undefined;
  /** Strings never to echo in a reply (the bot token). */
  secrets?: readonly string[] | undefined;
  /** Overrides `settings.idleSleepSec` in milliseconds (tests). */
  idleSleepMs?: number | undefined;
  /** Cap of the poll-error backoff. Default 60 s. */
  maxBackoffMs?: number | undefined;
  /** Abortable sleep; resolves early when the signal aborts. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Monotonic milliseconds for the rate limiter and the stranger audit sampling. */
  monotonicNow?: (() => number) | undefined;
  /** After a stranger chat's first audited attempt in a window, one in this many is audited. Default 10. */
  strangerAuditEvery?: number | undefined;
}

export type { TelegramBotSummary } from './bot-session.js';

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // aborted: wake up early
  }
};

/**
 * Runs the Telegram control bot until `options.signal` aborts: long polling with the offset stored in
 * `bot_state` before each update is handled (a restart never runs a command twice), edited messages
 * ignored, tiers and chat ACL capped per person in group chats when user ids are configured, sliding-window
 * rate limits, commands run in process as actor `bot`, replies split to Telegram's limit, every command
 * and poll error in the audit log, poll errors retried with backoff up to 60 s, and push notifications to
 * the admin chats. A message that is not a command is a question for `options.assistant` (the manager LLM), answered
 * in the background in order per chat; its writes become Confirm/Cancel buttons only the asker's tap runs.
 * Strangers (chats not on the allowlist) get no reply and are decided before the global limiter, by a small
 * budget of their own, so no flood of them can make the bot busy for the allowed chats;
 * their audit lines are sampled (first per chat per window, then one in `strangerAuditEvery`). A rejected
 * token (401) or a second poller/webhook (409) stops it with an `AgentprError` (`config`) that tells the
 * operator what to do.
 *
 * @example
 * const chat = createTelegramChatClient({ token });
 * const audit = new TelegramAuditLog({ file, maxBytes: 10_485_760, keepFiles: 5, clock: ctx.clock });
 * await runTelegramBot(ctx, { botId: botIdFromToken(token), acl: createChatAcl({ allowChatIds: [42] }), settings, audit, signal }, chat);
 */
export async function runTelegramBot(ctx: AppContext, options: TelegramBotOptions, chat: ChatClient): Promise<TelegramBotSummary> {
  const botCtx: AppContext = { ...ctx, actor: 'bot' };
  const { signal, audit, acl, settings } = options;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.monotonicNow ?? (() => performance.now());
  const idleMs = options.idleSleepMs ?? settings.idleSleepSec * 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const limiter = new SlidingWindowRateLimiter({
    windowSec: settings.rateLimitWindowSec,
    perChat: settings.rateLimitPerChat,
    global: settings.rateLimitGlobal,
    strangers: settings.rateLimitStrangers,
  });
  const questions = new AssistantChat(options.assistant, { onError: (error) => botCtx.log.error(`a question failed: ${errorText(error)}`, { error: errorText(error) }) });
  const strangerAudit = new StrangerAuditSampler({ windowSec: settings.rateLimitWindowSec, every: options.strangerAuditEvery });
  const summary: TelegramBotSummary = { updates: 0, commands: 0, notifications: 0, pollErrors: 0, strangerAttempts: 0, strangerUnaudited: 0 };
  const offsetKey = botStateKeys.offset(options.botId);
  const stored = await getBotState(botCtx.db, offsetKey);
  let offset = stored !== undefined && /^\d+$/.test(stored) ? Number(stored) : undefined;

  const fatal = (error: TelegramError) => new AgentprError('config', error.message, { details: { reason: error.code }, cause: error });

  let botUsername: string | undefined;
  try {
    botUsername = (await chat.getMe(signal)).username;
  } catch (error) {
    if (signal.aborted) return summary;
    if (error instanceof TelegramError && error.code === 'bad_token') throw fatal(error);
    // Unknown username: commands addressed with any @suffix are accepted. Polling reports the problem.
    audit.pollError(`getMe: ${errorText(error)}`);
  }
  botCtx.log.info(`telegram bot ${options.botId} polling${botUsername ? ` as @${botUsername}` : ''}`, { bot_id: options.botId, username: botUsername ?? null, offset: offset ?? null });

  const session: BotSession = {
    ctx: botCtx,
    botId: options.botId,
    acl,
    audit,
    chat,
    botUsername,
    listLimit: settings.listLimit,
    approvePr: options.approvePr,
    assistant: options.assistant,
    questions,
    limiter,
    strangerAudit,
    summary,
    now,
    signal,
    send: createSendReply(chat, options.secrets ?? [], sleep),
  };

  const handle = async (raw: unknown): Promise<void> => {
    const update = parseUpdate(raw);
    if (!update) return;
    if (offset !== undefined && update.updateId < offset) return; // already handled before a restart
    // The offset is stored before the command runs: a crash loses at most this command, never repeats it.
    await setBotState(botCtx.db, offsetKey, String(update.updateId + 1));
    offset = update.updateId + 1;
    summary.updates++;
    try {
      // A message or callback update carries its sender: chatId, userId, isGroup.
      if (update.kind === 'message') await handleMessage(session, update.updateId, update, update.text);
      else if (update.kind === 'callback') await handleCallback(session, update.updateId, update.callbackId, update, update.data);
    } catch (error) {
      botCtx.log.error(`telegram update ${update.updateId} failed: ${errorText(error)}`, { update_id: update.updateId, error: errorText(error) });
    }
  };

  const stopNotifier = startNotifier(session, {
    enabled: options.notifications !== false,
    intervalMs: options.notifyIntervalMs ?? 15_000,
    onScan: options.onNotifyScan,
    sleep,
  });

  let failures = 0;
  try {
    while (!signal.aborted) {
      let batch: unknown[];
      try {
        batch = await chat.getUpdates({ offset, timeoutSec: settings.pollTimeoutSec }, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof TelegramError && (error.code === 'bad_token' || error.code === 'conflict')) throw fatal(error);
        failures++;
        summary.pollErrors++;
        audit.pollError(errorText(error));
        botCtx.log.warn(`telegram poll failed (attempt ${failures}); retrying with backoff: ${errorText(error)}`, { error: errorText(error), attempt: failures });
        let wait = Math.min(idleMs * 2 ** Math.min(failures - 1, 30), maxBackoffMs);
        if (error instanceof TelegramError && error.retryAfterSec !== undefined) wait = Math.max(wait, Math.min(error.retryAfterSec * 1000, maxBackoffMs));
        await sleep(wait, signal);
        continue;
      }
      if (batch.length === 0) {
        await sleep(idleMs, signal);
        continue;
      }
      for (const raw of batch) {
        if (signal.aborted) break; // finish the update in hand, leave the rest for the next start
        try {
          await handle(raw);
        } catch (error) {
          // Storing the offset failed: do not run the command; poll again after a pause.
          botCtx.log.error(`could not store the Telegram offset; polling again: ${errorText(error)}`, { error: errorText(error) });
          await sleep(idleMs, signal);
          break;
        }
      }
    }
  } finally {
    await stopNotifier();
    await questions.drain();
  }
  botCtx.log.info('telegram bot stopped', { ...summary });
  return summary;
}
