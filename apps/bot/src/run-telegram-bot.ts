import { setTimeout as delay } from 'node:timers/promises';
import { getBotState, setBotState } from '@agentpr/store';
import {
  authorizeSender,
  commandTier,
  decodeAssistantButton,
  decodeButtonData,
  decodeCardButton,
  parseCommand,
  parseUpdate,
  redactSecrets,
  SlidingWindowRateLimiter,
  senderTier,
  splitMessage,
  StrangerAuditSampler,
  TelegramError,
  type AclDenyReason,
  type ChatAcl,
  type ChatClient,
  type InlineButton,
  type ParsedCommand,
  type Sender,
  type TelegramAuditLog,
  type TelegramBotSettings,
} from '@agentpr/telegram';
import { AgentprError, type AppContext, type ApprovePr } from '@agentpr/orchestrator';
import { executeBotCommand, type BotReply } from './bot-commands.js';
import { AssistantChat, type BotAssistant } from './assistant-chat.js';
import { assistantTapCommand, assistantTapRequest, handleAssistantTap } from './assistant-taps.js';
import { handleCardTap } from './card-taps.js';
import { botStateKeys } from './bot-state-keys.js';
import { initNotificationCursors, notifyRuns, type NotifyResult } from './notify-runs.js';

/** Longest text the bot treats as a command; Telegram's own message limit. */
export const MAX_COMMAND_LENGTH = 4096;

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

/** What a bot run did, returned when it stops. */
export interface TelegramBotSummary {
  /** Updates whose offset was stored (each at most once across restarts). */
  updates: number;
  /** Commands answered (authorised and not rate-limited). */
  commands: number;
  notifications: number;
  pollErrors: number;
  /** Commands and taps from chats that are not allowlisted (never answered). */
  strangerAttempts: number;
  /** Of those, the ones left out of the audit log by sampling or by the stranger budget. */
  strangerUnaudited: number;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // aborted: wake up early
  }
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The reply to an allowed chat (or group member) asking above its tier. Strangers never get one. */
function permissionText(command: string, reason: AclDenyReason): string {
  switch (reason) {
    case 'chat_not_allowlisted':
      return `This chat may not use /${command}.`;
    case 'write_permission_required':
      return `This chat may not use /${command}: it needs write permission (--write-chat-id).`;
    case 'admin_permission_required':
      return `This chat may not use /${command}: it needs admin permission (--admin-chat-id).`;
    case 'user_not_allowlisted':
      return `You may not use this bot in this group: your user id is in none of --allow-user-id, --write-user-id, --admin-user-id.`;
    case 'user_write_permission_required':
      return `You may not use /${command} in this group: it needs your user id in --write-user-id.`;
    case 'user_admin_permission_required':
      return `You may not use /${command} in this group: it needs your user id in --admin-user-id.`;
    default: {
      const never: never = reason;
      return never;
    }
  }
}

/** A plain-word message, handled like a read command named `ask`. */
const QUESTION: ParsedCommand = { kind: 'command', name: 'ask', args: [] };

/** The request text for the audit log; the arguments of /approve_pr are withheld because one is the confirm token. */
function auditRequestText(parsed: ParsedCommand, text: string): string {
  if (parsed.name !== 'approve_pr') return text;
  if (parsed.kind !== 'command' || parsed.args.length === 0) return parsed.kind === 'command' ? '/approve_pr' : '/approve_pr <redacted>';
  return parsed.args.length >= 2 ? `/approve_pr ${parsed.args[0]} <redacted>` : '/approve_pr <redacted>';
}

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
  const secrets = options.secrets ?? [];
  const limiter = new SlidingWindowRateLimiter({
    windowSec: settings.rateLimitWindowSec,
    perChat: settings.rateLimitPerChat,
    global: settings.rateLimitGlobal,
    strangers: settings.rateLimitStrangers,
  });
  const assistant = new AssistantChat(options.assistant, { onError: (error) => botCtx.log.error(`a question failed: ${errorText(error)}`, { error: errorText(error) }) });
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

  const send = async (chatId: number, text: string, buttons?: InlineButton[][]): Promise<string | null> => {
    const parts = splitMessage(redactSecrets(text, secrets));
    for (let i = 0; i < parts.length; i++) {
      const message = { chatId, text: parts[i]!, buttons: i === parts.length - 1 ? buttons : undefined };
      try {
        await chat.sendMessage(message);
      } catch (error) {
        if (!(error instanceof TelegramError && error.code === 'rate_limited')) return errorText(error);
        await sleep(Math.min(error.retryAfterSec ?? 1, 60) * 1000);
        try {
          await chat.sendMessage(message);
        } catch (again) {
          return errorText(again);
        }
      }
    }
    return null;
  };

  const record = (entry: { updateId: number; chatId: number; command: string; request: string; reply: BotReply; sendError: string | null }) => {
    const { reply, sendError } = entry;
    const base = `${reply.outcome}${reply.detail ? `: ${reply.detail}` : ''}`;
    audit.command({
      update_id: entry.updateId,
      chat_id: entry.chatId,
      command: entry.command,
      outcome: sendError ? 'send_error' : reply.outcome,
      detail: sendError ? `${base}; send failed: ${sendError}` : reply.detail,
      request_text: entry.request,
      response_text: reply.text,
    });
  };

  /**
   * A stranger's attempt: never answered, and decided by the stranger budget before the global limiter is
   * consulted, so it cannot use up the allowed chats' capacity. Its audit line is sampled.
   */
  const stranger = (updateId: number, chatId: number, command: string, request: string): void => {
    summary.strangerAttempts++;
    const at = now();
    const decision = limiter.check(chatId, false, at).ok ? strangerAudit.admit(chatId, at) : strangerAudit.skip();
    summary.strangerUnaudited = strangerAudit.unaudited;
    if (!decision.write) return;
    audit.command({
      update_id: updateId,
      chat_id: chatId,
      command,
      outcome: 'unauthorized',
      detail: 'chat_not_allowlisted',
      request_text: request,
      response_text: '',
      unaudited_since_last: decision.unauditedSinceLast,
    });
  };

  const failed = (what: string, error: unknown): BotReply => {
    botCtx.log.error(`bot ${what} failed: ${errorText(error)}`, { command: what, error: errorText(error) });
    return { text: `Command failed: ${errorText(error)}`, outcome: 'error', detail: `exception: ${errorText(error)}` };
  };

  const run = async (sender: Sender, name: string, args: string[]): Promise<BotReply> => {
    summary.commands++;
    try {
      const tier = senderTier(acl, sender) ?? 'read';
      return await executeBotCommand(botCtx, name, args, { botId: options.botId, listLimit: settings.listLimit, approvePr: options.approvePr, tier });
    } catch (error) {
      return failed(`/${name}`, error);
    }
  };

  /** Queues a question for the manager LLM; its reply is sent and audited when the model has answered. */
  const askLater = async (updateId: number, sender: Sender, question: string): Promise<void> => {
    const { chatId } = sender;
    summary.commands++;
    await assistant.enqueue(sender, senderTier(acl, sender) ?? 'read', question, {
      signal,
      failed: (error) => failed('ask', error),
      deliver: async (reply) => record({ updateId, chatId, command: 'ask', request: question, reply, sendError: await send(chatId, reply.text, reply.buttons) }),
    });
  };

  const handleMessage = async (updateId: number, sender: Sender, rawText: string): Promise<void> => {
    const { chatId } = sender;
    const text = rawText.trim();
    const command = parseCommand(text, { botUsername });
    const question = command === null && text.length > 0;
    const parsed = command ?? (question ? QUESTION : null);
    if (!parsed || parsed.kind === 'other_bot') return;
    const auth = authorizeSender(acl, sender, commandTier(parsed.name));
    const request = question ? text : auditRequestText(parsed, text);
    // Strangers learn nothing, not even that a bot listens; their plain texts are not even audited.
    if (!auth.ok && auth.reason === 'chat_not_allowlisted') return question ? undefined : stranger(updateId, chatId, parsed.name, request);
    // An allowed chat's attempt counts against its own budget even when refused for its tier, so a group member
    // without rights cannot spend the global budget either.
    const rate = limiter.check(chatId, true, now());
    if (!auth.ok) {
      if (!rate.ok) return;
      // An allowed chat (or group member) asking above its tier is told which permission it lacks.
      const text = permissionText(parsed.name, auth.reason);
      const sendError = await send(chatId, text);
      audit.command({ update_id: updateId, chat_id: chatId, command: parsed.name, outcome: sendError ? 'send_error' : 'unauthorized', detail: sendError ? `${auth.reason}; send failed: ${sendError}` : auth.reason, request_text: request, response_text: text });
      return;
    }
    if (!rate.ok) {
      const busy = rate.reason === 'global_rate_limited' ? 'The bot is busy; retry in a minute.' : 'Too many commands from this chat; retry in a minute.';
      const sendError = await send(chatId, busy);
      audit.command({ update_id: updateId, chat_id: chatId, command: parsed.name, outcome: sendError ? 'send_error' : 'rate_limited', detail: rate.reason, request_text: request, response_text: busy });
      return;
    }
    if (question) return askLater(updateId, sender, text);
    let reply: BotReply;
    if (text.length > MAX_COMMAND_LENGTH) {
      reply = { text: `That message is too long for a command (${text.length} characters). Send /help for the commands.`, outcome: 'error', detail: 'message_too_long' };
    } else if (parsed.kind === 'invalid') {
      reply = { text: `Could not read that command: ${parsed.error}. Use matching quotes around arguments, or send /help.`, outcome: 'error', detail: 'invalid_format' };
    } else {
      reply = await run(sender, parsed.name, parsed.args);
    }
    const sendError = await send(chatId, reply.text, reply.buttons);
    record({ updateId, chatId, command: parsed.name, request, reply, sendError });
  };

  /** What a tap runs: an approval card step, a run button, or nothing known. */
  const tapReply = async (sender: Sender, data: string): Promise<BotReply> => {
    const assistantTap = decodeAssistantButton(data);
    const card = decodeCardButton(data);
    const button = decodeButtonData(data);
    const cardDeps = { botId: options.botId, approvePr: options.approvePr };
    try {
      if (assistantTap) return await handleAssistantTap(options.assistant, sender, senderTier(acl, sender) ?? 'read', assistantTap);
      if (card) return await handleCardTap(botCtx, cardDeps, card.step, card.cardId);
      if (!button) return { text: 'That button is not known to this bot. Send /help for the commands.', outcome: 'error', detail: 'unknown_button' };
      // An older notification's Approve…: show the run's approval card.
      const [name, args] = button.action === 'approve' ? ['approve_pr', [button.runId]] : [button.action, [button.runId]];
      return await executeBotCommand(botCtx, name, args, { botId: options.botId, listLimit: settings.listLimit, approvePr: options.approvePr, tier: senderTier(acl, sender) ?? 'read' });
    } catch (error) {
      botCtx.log.error(`bot button failed: ${errorText(error)}`, { error: errorText(error) });
      return { text: `Command failed: ${errorText(error)}`, outcome: 'error', detail: `exception: ${errorText(error)}` };
    }
  };

  const handleCallback = async (updateId: number, callbackId: string, sender: Sender, data: string): Promise<void> => {
    const { chatId } = sender;
    const assistantTap = decodeAssistantButton(data);
    const card = decodeCardButton(data);
    const button = decodeButtonData(data);
    // An assistant tap needs the read tier here; the assistant checks the person and the tool's tier.
    const name = assistantTap ? QUESTION.name : card || button?.action === 'approve' ? 'approve_pr' : (button?.action ?? 'button');
    const command = assistantTap ? assistantTapCommand(assistantTap.choice) : card ? `button:card_${card.step}` : `button:${button?.action ?? 'unknown'}`;
    // The audit never sees an assistant button's token.
    const request = assistantTap ? assistantTapRequest(assistantTap.choice) : `[button] ${data}`;
    const auth = authorizeSender(acl, sender, commandTier(name));
    if (!auth.ok && auth.reason === 'chat_not_allowlisted') return stranger(updateId, chatId, command, request);
    const rate = limiter.check(chatId, true, now());
    const answer = async (text: string) => {
      try {
        await chat.answerCallbackQuery({ callbackQueryId: callbackId, text });
      } catch (error) {
        botCtx.log.warn(`answerCallbackQuery failed: ${errorText(error)}`, { error: errorText(error) });
      }
    };
    if (!auth.ok) {
      if (!rate.ok) return;
      const text = permissionText(name, auth.reason);
      await answer(text);
      audit.command({ update_id: updateId, chat_id: chatId, command, outcome: 'unauthorized', detail: auth.reason, request_text: request, response_text: text });
      return;
    }
    if (!rate.ok) {
      await answer('Too many requests; retry in a minute.');
      audit.command({ update_id: updateId, chat_id: chatId, command, outcome: 'rate_limited', detail: rate.reason, request_text: request, response_text: '' });
      return;
    }
    summary.commands++;
    const reply = await tapReply(sender, data);
    // The toast is the reply's first line: a refusal reads in one line where the tap happened.
    await answer(reply.text.split('\n')[0]!.slice(0, 190));
    const sendError = reply.toastOnly ? null : await send(chatId, reply.text, reply.buttons);
    record({ updateId, chatId, command, request, reply, sendError });
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
      if (update.kind === 'message') await handleMessage(update.updateId, update, update.text);
      else if (update.kind === 'callback') await handleCallback(update.updateId, update.callbackId, update, update.data);
    } catch (error) {
      botCtx.log.error(`telegram update ${update.updateId} failed: ${errorText(error)}`, { update_id: update.updateId, error: errorText(error) });
    }
  };

  const stopNotifier = new AbortController();
  const notifierSignal = AbortSignal.any([signal, stopNotifier.signal]);
  const adminChats = [...acl.admin].sort((a, b) => a - b);
  const notifier = (async () => {
    if (options.notifications === false || adminChats.length === 0) return;
    try {
      await initNotificationCursors(botCtx, options.botId);
    } catch (error) {
      botCtx.log.error(`notifications are off: could not initialise their cursors: ${errorText(error)}`, { error: errorText(error) });
      return;
    }
    while (!notifierSignal.aborted) {
      try {
        const result = await notifyRuns(botCtx, { botId: options.botId, chatIds: adminChats, chat, audit, approvePr: options.approvePr });
        summary.notifications += result.sent;
        options.onNotifyScan?.(result);
      } catch (error) {
        botCtx.log.warn(`notification scan failed: ${errorText(error)}`, { error: errorText(error) });
      }
      await sleep(options.notifyIntervalMs ?? 15_000, notifierSignal);
    }
  })();

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
    stopNotifier.abort();
    await notifier;
    await assistant.drain();
  }
  botCtx.log.info('telegram bot stopped', { ...summary });
  return summary;
}
