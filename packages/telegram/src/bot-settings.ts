import { TelegramError } from './errors.js';
import { STRANGER_RATE_LIMIT_DEFAULT } from './rate-limiter.js';

/** The `telegram_bot` section of the manager policy, with the CLI flags that override it. */
export interface TelegramBotSettings {
  /** Long-poll wait of each `getUpdates`, seconds. */
  pollTimeoutSec: number;
  /** Sleep after an empty poll, and the first backoff step after a failed one, seconds. */
  idleSleepSec: number;
  /** Default N of `/list`. */
  listLimit: number;
  rateLimitWindowSec: number;
  rateLimitPerChat: number;
  rateLimitGlobal: number;
  /** Attempts from all chats that are not allowlisted, together, per window; they never touch `rateLimitGlobal`. */
  rateLimitStrangers: number;
  /** Audit JSONL path; relative paths are resolved against the data directory by the caller. */
  auditLogFile: string;
  auditMaxBytes: number;
  auditKeepFiles: number;
}

/** Built-in defaults of the `telegram_bot` policy section. */
export const TELEGRAM_BOT_DEFAULTS: Readonly<TelegramBotSettings> = Object.freeze({
  pollTimeoutSec: 30,
  idleSleepSec: 2,
  listLimit: 20,
  rateLimitWindowSec: 60,
  rateLimitPerChat: 12,
  rateLimitGlobal: 120,
  rateLimitStrangers: STRANGER_RATE_LIMIT_DEFAULT,
  auditLogFile: 'reports/telegram_audit.jsonl',
  auditMaxBytes: 10_485_760,
  auditKeepFiles: 5,
});

const FLAG_NAMES: Record<keyof TelegramBotSettings, string> = {
  pollTimeoutSec: '--poll-timeout-sec',
  idleSleepSec: '--idle-sleep-sec',
  listLimit: '--list-limit',
  rateLimitWindowSec: '--rate-limit-window-sec',
  rateLimitPerChat: '--rate-limit-per-chat',
  rateLimitGlobal: '--rate-limit-global',
  rateLimitStrangers: '--rate-limit-strangers',
  auditLogFile: '--audit-log-file',
  auditMaxBytes: 'telegram_bot.audit_max_bytes',
  auditKeepFiles: 'telegram_bot.audit_keep_files',
};

/**
 * Merges the bot settings: CLI flag > policy file > built-in default. Policy integers are clamped to at least 1
 * (`audit_keep_files` to at least 0); a flag below 1 is an error, because an operator typed
 * it. Throws `invalid_config` naming the flag.
 *
 * @example
 * resolveTelegramBotSettings({ listLimit: 10 }, { pollTimeoutSec: 5 }).pollTimeoutSec // → 5
 */
export function resolveTelegramBotSettings(
  policy: Partial<TelegramBotSettings> = {},
  flags: Partial<TelegramBotSettings> = {},
): TelegramBotSettings {
  const out = { ...TELEGRAM_BOT_DEFAULTS } as TelegramBotSettings;
  for (const key of Object.keys(TELEGRAM_BOT_DEFAULTS) as Array<keyof TelegramBotSettings>) {
    const fromFlag = flags[key];
    const fromPolicy = policy[key];
    if (key === 'auditLogFile') {
      const value = (fromFlag ?? fromPolicy ?? out.auditLogFile) as string;
      if (value.trim() === '') {
        const where = fromFlag !== undefined ? FLAG_NAMES[key] : `telegram_bot.${snakeCase(key)}:`;
        throw new TelegramError('invalid_config', `${where} must not be empty.`);
      }
      out.auditLogFile = value.trim();
      continue;
    }
    const min = key === 'auditKeepFiles' ? 0 : 1;
    if (fromFlag !== undefined) {
      if (!Number.isInteger(fromFlag) || (fromFlag as number) < min) {
        throw new TelegramError('invalid_config', `${FLAG_NAMES[key]} must be an integer of at least ${min}, got ${String(fromFlag)}.`);
      }
      (out as unknown as Record<string, number>)[key] = fromFlag as number;
    } else if (fromPolicy !== undefined) {
      if (!Number.isInteger(fromPolicy)) {
        throw new TelegramError('invalid_config', `telegram_bot.${snakeCase(key)}: must be an integer, got ${String(fromPolicy)}.`);
      }
      (out as unknown as Record<string, number>)[key] = Math.max(min, fromPolicy as number);
    }
  }
  return out;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
