import { BOT_FLAGS, BOT_SUMMARY } from '@agentpr/bot-app';
import { serviceCommand } from '../service-command.js';

/** `agentpr run-telegram-bot` (also the `agentpr-bot` binary): the Telegram control bot, until stopped. */
export const command = serviceCommand({
  name: 'run-telegram-bot',
  summary: BOT_SUMMARY,
  example: 'AGENTPR_TELEGRAM_BOT_TOKEN=123456:ABC… agentpr run-telegram-bot --allow-chat-id 123456789 --admin-chat-id 123456789',
  gate: 'telegram',
  options: BOT_FLAGS,
  load: async () => (await import('@agentpr/bot-app')).BOT_SERVICE,
});
