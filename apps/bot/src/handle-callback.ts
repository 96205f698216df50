import { authorizeSender, commandTier, decodeAssistantButton, decodeButtonData, decodeCardButton, senderTier, type Sender } from '@agentpr/telegram';
import { executeBotCommand, type BotReply } from './bot-commands.js';
import { assistantTapCommand, assistantTapRequest, handleAssistantTap } from './assistant-taps.js';
import { handleCardTap } from './card-taps.js';
import { permissionText, QUESTION, recordReply, recordStranger } from './bot-access.js';
import { errorText, type BotSession } from './bot-session.js';

/** What a tap runs: an approval card step, a run button, or nothing known. */
async function tapReply(session: BotSession, sender: Sender, data: string): Promise<BotReply> {
  const { ctx, acl } = session;
  const assistantTap = decodeAssistantButton(data);
  const card = decodeCardButton(data);
  const button = decodeButtonData(data);
  const cardDeps = { botId: session.botId, approvePr: session.approvePr };
  try {
    if (assistantTap) return await handleAssistantTap(session.assistant, sender, senderTier(acl, sender) ?? 'read', assistantTap);
    if (card) return await handleCardTap(ctx, cardDeps, card.step, card.cardId);
    if (!button) return { text: 'That button is not known to this bot. Send /help for the commands.', outcome: 'error', detail: 'unknown_button' };
    // An older notification's Approve…: show the run's approval card.
    const [name, args] = button.action === 'approve' ? ['approve_pr', [button.runId]] : [button.action, [button.runId]];
    return await executeBotCommand(ctx, name, args, { botId: session.botId, listLimit: session.listLimit, approvePr: session.approvePr, tier: senderTier(acl, sender) ?? 'read' });
  } catch (error) {
    ctx.log.error(`bot button failed: ${errorText(error)}`, { error: errorText(error) });
    return { text: `Command failed: ${errorText(error)}`, outcome: 'error', detail: `exception: ${errorText(error)}` };
  }
}

/**
 * Handles one button tap (an approval card step, a run button, or an assistant Confirm/Cancel): strangers get
 * nothing, a chat above its tier or over its rate gets a toast, and an allowed tap's reply is toasted (its first
 * line), sent unless it is toast-only, and audited.
 */
export async function handleCallback(session: BotSession, updateId: number, callbackId: string, sender: Sender, data: string): Promise<void> {
  const { ctx, acl, audit, chat } = session;
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
  if (!auth.ok && auth.reason === 'chat_not_allowlisted') return recordStranger(session, updateId, chatId, command, request);
  const rate = session.limiter.check(chatId, true, session.now());
  const answer = async (text: string) => {
    try {
      await chat.answerCallbackQuery({ callbackQueryId: callbackId, text });
    } catch (error) {
      ctx.log.warn(`answerCallbackQuery failed: ${errorText(error)}`, { error: errorText(error) });
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
  session.summary.commands++;
  const reply = await tapReply(session, sender, data);
  // The toast is the reply's first line: a refusal reads in one line where the tap happened.
  await answer(reply.text.split('\n')[0]!.slice(0, 190));
  const sendError = reply.toastOnly ? null : await session.send(chatId, reply.text, reply.buttons);
  recordReply(session, { updateId, chatId, command, request, reply, sendError });
}
