import { authorizeSender, commandTier, parseCommand, senderTier, type Sender } from '@agentpr/telegram';
import { executeBotCommand, type BotReply } from './bot-commands.js';
import { auditRequestText, permissionText, QUESTION, recordReply, recordStranger } from './bot-access.js';
import { errorText, type BotSession } from './bot-session.js';

/** Longest text the bot treats as a command; Telegram's own message limit. */
export const MAX_COMMAND_LENGTH = 4096;

function failedReply(session: BotSession, what: string, error: unknown): BotReply {
  session.ctx.log.error(`bot ${what} failed: ${errorText(error)}`, { command: what, error: errorText(error) });
  return { text: `Command failed: ${errorText(error)}`, outcome: 'error', detail: `exception: ${errorText(error)}` };
}

async function runCommand(session: BotSession, sender: Sender, name: string, args: string[]): Promise<BotReply> {
  session.summary.commands++;
  try {
    const tier = senderTier(session.acl, sender) ?? 'read';
    return await executeBotCommand(session.ctx, name, args, { botId: session.botId, listLimit: session.listLimit, approvePr: session.approvePr, tier });
  } catch (error) {
    return failedReply(session, `/${name}`, error);
  }
}

/** Queues a question for the manager LLM; its reply is sent and audited when the model has answered. */
async function askLater(session: BotSession, updateId: number, sender: Sender, question: string): Promise<void> {
  const { chatId } = sender;
  session.summary.commands++;
  await session.questions.enqueue(sender, senderTier(session.acl, sender) ?? 'read', question, {
    signal: session.signal,
    failed: (error) => failedReply(session, 'ask', error),
    deliver: async (reply) => recordReply(session, { updateId, chatId, command: 'ask', request: question, reply, sendError: await session.send(chatId, reply.text, reply.buttons) }),
  });
}

/**
 * Routes one message: a command runs in process and its reply is sent and audited; a plain-word message is a
 * question for the manager LLM, answered in the background in order per chat. Strangers get no reply, a chat
 * above its tier is told which permission it lacks, and rate-limited chats are told to retry.
 */
export async function handleMessage(session: BotSession, updateId: number, sender: Sender, rawText: string): Promise<void> {
  const { acl, audit, limiter, send } = session;
  const { chatId } = sender;
  const text = rawText.trim();
  const command = parseCommand(text, { botUsername: session.botUsername });
  const question = command === null && text.length > 0;
  const parsed = command ?? (question ? QUESTION : null);
  if (!parsed || parsed.kind === 'other_bot') return;
  const auth = authorizeSender(acl, sender, commandTier(parsed.name));
  const request = question ? text : auditRequestText(parsed, text);
  // Strangers learn nothing, not even that a bot listens; their plain texts are not even audited.
  if (!auth.ok && auth.reason === 'chat_not_allowlisted') return question ? undefined : recordStranger(session, updateId, chatId, parsed.name, request);
  // An allowed chat's attempt counts against its own budget even when refused for its tier, so a group member
  // without rights cannot spend the global budget either.
  const rate = limiter.check(chatId, true, session.now());
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
  if (question) return askLater(session, updateId, sender, text);
  let reply: BotReply;
  if (text.length > MAX_COMMAND_LENGTH) {
    reply = { text: `That message is too long for a command (${text.length} characters). Send /help for the commands.`, outcome: 'error', detail: 'message_too_long' };
  } else if (parsed.kind === 'invalid') {
    reply = { text: `Could not read that command: ${parsed.error}. Use matching quotes around arguments, or send /help.`, outcome: 'error', detail: 'invalid_format' };
  } else {
    reply = await runCommand(session, sender, parsed.name, parsed.args);
  }
  const sendError = await send(chatId, reply.text, reply.buttons);
  recordReply(session, { updateId, chatId, command: parsed.name, request, reply, sendError });
}
