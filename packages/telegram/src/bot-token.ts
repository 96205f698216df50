import { TelegramError } from './errors.js';

const TOKEN_PATTERN = /^(\d{1,20}):[A-Za-z0-9_-]{1,200}$/;

/**
 * The bot id of a Bot API token: its numeric prefix (`123456:ABC…` → `"123456"`). The bot keeps its update
 * offset under this id, so two tokens of the same bot share it and the secret part is never stored.
 * Throws `invalid_config` for a value that is not shaped like a token; the message never echoes it.
 *
 * @example
 * botIdFromToken('123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw') // → '123456789'
 */
export function botIdFromToken(token: string): string {
  const match = TOKEN_PATTERN.exec(token.trim());
  if (!match) {
    throw new TelegramError(
      'invalid_config',
      'the Telegram bot token is malformed: expected <digits>:<secret> as issued by @BotFather. Check AGENTPR_TELEGRAM_BOT_TOKEN or --telegram-token.',
    );
  }
  return match[1]!;
}

/**
 * Matches a PR confirm token standing on its own: 32 hex characters (128 bits) as tokens are made today, or 16 as
 * older requests carry. A 40-character commit SHA is not one.
 */
const CONFIRM_TOKEN_PATTERN = /(?<![A-Za-z0-9_])[0-9A-Fa-f]{16}(?:[0-9A-Fa-f]{16})?(?![A-Za-z0-9_])/g;

/**
 * Removes secrets from text bound for a log, audit line or reply: every given secret (the bot token, its secret
 * half) and anything shaped like a PR confirm token. Short secrets (under 8 characters) are ignored so that a
 * bogus value cannot blank out ordinary text.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    out = out.split(secret).join('<redacted>');
  }
  return out.replace(CONFIRM_TOKEN_PATTERN, '<redacted>');
}

/** The strings {@link redactSecrets} must hide for a bot token: the whole token and its secret half. */
export function tokenSecrets(token: string): string[] {
  const trimmed = token.trim();
  const colon = trimmed.indexOf(':');
  return colon > 0 ? [trimmed, trimmed.slice(colon + 1)] : [trimmed];
}
