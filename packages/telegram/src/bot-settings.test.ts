import { describe, expect, it } from 'vitest';
import { resolveTelegramBotSettings, TELEGRAM_BOT_DEFAULTS } from './bot-settings.js';

describe('resolveTelegramBotSettings', () => {
  it('resolveTelegramBotSettings prefers flags over policy over defaults', () => {
    const settings = resolveTelegramBotSettings({ listLimit: 7, pollTimeoutSec: 50 }, { pollTimeoutSec: 5 });
    expect(settings).toEqual({ ...TELEGRAM_BOT_DEFAULTS, listLimit: 7, pollTimeoutSec: 5 });
  });

  it('resolveTelegramBotSettings clamps policy integers to at least 1', () => {
    expect(resolveTelegramBotSettings({ rateLimitPerChat: 0 }).rateLimitPerChat).toBe(1);
  });

  it('resolveTelegramBotSettings refuses a flag below 1 and names it', () => {
    expect(() => resolveTelegramBotSettings({}, { rateLimitGlobal: 0 })).toThrow(/--rate-limit-global must be an integer of at least 1/);
    expect(() => resolveTelegramBotSettings({}, { rateLimitStrangers: 0 })).toThrow(/--rate-limit-strangers must be an integer of at least 1/);
    expect(resolveTelegramBotSettings().rateLimitStrangers).toBe(20);
  });

  it('resolveTelegramBotSettings refuses an empty audit file and a non-integer policy value', () => {
    expect(() => resolveTelegramBotSettings({ auditLogFile: '  ' })).toThrow(/telegram_bot.audit_log_file: must not be empty/);
    expect(() => resolveTelegramBotSettings({ idleSleepSec: 1.5 })).toThrow(/telegram_bot.idle_sleep_sec: must be an integer/);
  });
});
