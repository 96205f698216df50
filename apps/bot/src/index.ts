export { runTelegramBotService } from './run-telegram-bot-service.js';
export type { TelegramBotServiceInput, TelegramBotServiceResult } from './run-telegram-bot-service.js';
