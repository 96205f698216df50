import { createAssistant, resolveLlmConfig, type LlmConfig, type ManagerLlmSettings } from '@agentpr/assistant';
import { startLlmStub, type RunningLlmStub } from '@agentpr/llm-stub';
import { createTelegramChatClient, type ChatAclOptions } from '@agentpr/telegram';
import type { TelegramTestApi } from '@agentpr/testing';
import type { AppContext } from '@agentpr/orchestrator';
import { auditLines, startBot, TOKEN, waitFor, type RunningBot } from './bot-harness.js';

/** The manager LLM's key in these tests; like the bot token, it must never reach a reply or the audit log. */
export const LLM_KEY = 'sk-test-LlmKeyForTestsOnly-0123456789abcdef';

/** A message the bot sent, with its inline buttons. */
export interface BotMessage {
  text: string;
  buttons: Array<{ text: string; callback_data: string }>;
}

/** The context with the LLM key in its environment, as the bot's process has it (the redactor reads it there). */
export function withLlmKey(ctx: AppContext): AppContext {
  return { ...ctx, env: { ...ctx.env, AGENTPR_LLM_API_KEY: LLM_KEY } };
}

/** The configuration the bot resolves for the stub (flags over env over policy), with the given policy limits. */
export function stubConfig(baseUrl: string, policy: ManagerLlmSettings = {}): LlmConfig {
  const resolved = resolveLlmConfig({ flags: { baseUrl, model: 'stub-manager' }, env: { AGENTPR_LLM_API_KEY: LLM_KEY }, policy, offline: true });
  if (resolved.kind !== 'configured') throw new Error(resolved.message);
  return resolved.config;
}

/** Starts the llm stub on a shipped scenario, requiring the test key. */
export function startStub(scenario: string, vars: Record<string, string> = {}): Promise<RunningLlmStub> {
  return startLlmStub({ scenario, vars, apiKey: LLM_KEY });
}

/** Starts the bot against telegram-test-api with the assistant over `config`; `toasts` collects the tap answers. */
export function startAssistantBot(
  ctx: AppContext,
  api: TelegramTestApi,
  config: LlmConfig | undefined,
  options: { acl?: ChatAclOptions; toasts?: string[] } = {},
): RunningBot {
  const real = createTelegramChatClient({ token: TOKEN, apiUrl: api.apiUrl });
  const chat = {
    ...real,
    answerCallbackQuery: async (params: Parameters<typeof real.answerCallbackQuery>[0]) => {
      options.toasts?.push(params.text ?? '');
      await real.answerCallbackQuery(params);
    },
  };
  return startBot(ctx, {
    apiUrl: api.apiUrl,
    chat,
    acl: options.acl,
    options: { notifications: false, secrets: [TOKEN, LLM_KEY] },
    assistant: config
      ? (audit, signal) => createAssistant(ctx, { config, audit: { write: (record) => audit.assistant(record) }, runtime: { signal } })
      : undefined,
  });
}

/** Talks to a running bot through telegram-test-api as one person in one chat. */
export class ChatDriver {
  constructor(
    private readonly api: TelegramTestApi,
    private readonly bot: RunningBot,
  ) {}

  /** Every message the bot sent to `chatId`, in order. */
  messages(chatId: number): BotMessage[] {
    return this.api.server.storage.botMessages
      .filter((m) => String(m.message.chat_id) === String(chatId))
      .map((m) => {
        const markup = m.message.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
        return { text: String(m.message.text), buttons: markup?.inline_keyboard?.flat() ?? [] };
      });
  }

  /** The audit lines of handled commands, questions and taps in `chatId`. */
  commandLines(chatId: number): Array<Record<string, unknown>> {
    return auditLines(this.bot.auditFile).filter((l) => l.chat_id === chatId && l.kind === undefined);
  }

  /** The manager LLM's audit lines (`assistant_*`). */
  assistantLines(): Array<Record<string, unknown>> {
    return auditLines(this.bot.auditFile).filter((l) => typeof l.kind === 'string' && (l.kind as string).startsWith('assistant_'));
  }

  /** Sends `text` as `userId` (default: the chat) and waits until the bot audited it; returns its replies and audit line. */
  async say(chatId: number, text: string, userId = chatId): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
    const client = this.api.server.getClient(TOKEN, { chatId, userId });
    const group = chatId < 0 ? { chat: { type: 'supergroup' } } : {};
    return this.#await(chatId, text, () => client.sendMessage(client.makeMessage(text, group)));
  }

  /** Taps a button's `callback_data` as `userId` (default: the chat) and waits for its audit line. */
  async tap(chatId: number, data: string, userId = chatId): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
    const client = this.api.server.getClient(TOKEN, { chatId, userId });
    const group = chatId < 0 ? { message: { chat: { type: 'supergroup' } } } : {};
    return this.#await(chatId, `the tap ${data.slice(0, 5)}`, () => client.sendCallback(client.makeCallbackQuery(data, group)));
  }

  async #await(chatId: number, what: string, act: () => Promise<unknown>): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
    const seen = this.commandLines(chatId).length;
    const before = this.messages(chatId).length;
    await act();
    const lines = await waitFor(() => (this.commandLines(chatId).length > seen ? this.commandLines(chatId) : null), `the audit line of ${what.slice(0, 40)}`, 20_000);
    return { replies: this.messages(chatId).slice(before), audit: lines[seen]! };
  }
}

/** The callback data of the button whose text starts with `prefix` on `message`. */
export function buttonData(message: BotMessage | undefined, prefix: string): string {
  const found = message?.buttons.find((b) => b.text.startsWith(prefix));
  if (!found) throw new Error(`no button "${prefix}…" on ${JSON.stringify(message)}`);
  return found.callback_data;
}
