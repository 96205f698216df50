import { flag, list, serviceHelp, str, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import type { TelegramBotFlags } from './bot-config.js';

/** The flags of `agentpr-bot` and `agentpr run-telegram-bot` (the global flags come on top). */
export const BOT_FLAGS: Record<string, FlagSpec> = {
  'telegram-token': { type: 'string', value: 'TOKEN', description: 'bot token from @BotFather (default: env AGENTPR_TELEGRAM_BOT_TOKEN, which keeps it out of `ps`)' },
  'telegram-api-url': { type: 'string', value: 'URL', description: 'Bot API origin for a self-hosted Bot API server (env AGENTPR_TELEGRAM_API_URL; default https://api.telegram.org)' },
  'allow-chat-id': { type: 'string', value: 'ID', multiple: true, description: 'chat allowed to use the read commands; negative ids as --allow-chat-id=-100…' },
  'write-chat-id': { type: 'string', value: 'ID', multiple: true, description: 'chat allowed to pause/resume/retry (default: the allowed chats)' },
  'admin-chat-id': { type: 'string', value: 'ID', multiple: true, description: 'chat allowed to approve PRs and receiving notifications (default: the write chats)' },
  'allow-any-chat': { type: 'boolean', description: 'local development only: any chat may use the read commands (never write or admin)' },
  'allow-user-id': { type: 'string', value: 'ID', multiple: true, description: 'person who may use the read commands in group chats; any --*-user-id limits group members to the people named' },
  'write-user-id': { type: 'string', value: 'ID', multiple: true, description: 'person who may also pause/resume/retry in group chats (if the group may)' },
  'admin-user-id': { type: 'string', value: 'ID', multiple: true, description: 'person who may also approve PRs in group chats (if the group may)' },
  'poll-timeout-sec': { type: 'string', value: 'N', description: 'long-poll wait in seconds (policy telegram_bot.poll_timeout_sec, default 30)' },
  'idle-sleep-sec': { type: 'string', value: 'N', description: 'pause after an empty poll and first backoff step (default 2)' },
  'list-limit': { type: 'string', value: 'N', description: 'default N of /list and /pending_pr (default 20)' },
  'rate-limit-window-sec': { type: 'string', value: 'N', description: 'rate-limit window in seconds (default 60)' },
  'rate-limit-per-chat': { type: 'string', value: 'N', description: 'commands per chat per window (default 12)' },
  'rate-limit-global': { type: 'string', value: 'N', description: 'commands from all allowed chats per window (default 120)' },
  'rate-limit-strangers': { type: 'string', value: 'N', description: 'attempts from all chats not allowed, together, per window; never answered, never counted globally (default 20)' },
  'audit-log-file': { type: 'string', value: 'PATH', description: 'audit JSONL, relative to the data dir (default reports/telegram_audit.jsonl)' },
  'no-notifications': { type: 'boolean', description: 'do not push run notifications to the admin chats' },
  'notify-interval-sec': { type: 'string', value: 'N', description: 'seconds between notification scans (default 15)' },
  'poller-lease-sec': {
    type: 'string',
    value: 'N',
    description: 'one poller per token: the lease a standing-by bot takes over after its holder dies (env AGENTPR_TELEGRAM_POLLER_LEASE_SEC; default 30, 2-3600)',
  },
  'github-api-url': { type: 'string', value: 'URL', description: 'GitHub API for /approve_pr (env GITHUB_API_URL; default https://api.github.com)' },
  'llm-base-url': {
    type: 'string',
    value: 'URL',
    description: 'OpenAI-compatible endpoint of the manager LLM that answers plain-word messages (env AGENTPR_LLM_BASE_URL; policy manager_llm.base_url)',
  },
  'llm-model': { type: 'string', value: 'NAME', description: 'model of the manager LLM (env AGENTPR_LLM_MODEL; policy manager_llm.model); its key only from env AGENTPR_LLM_API_KEY' },
};

/** The one-line summary of `agentpr run-telegram-bot`. */
export const BOT_SUMMARY = 'Run the Telegram control bot: commands, approvals and notifications for allowed chats.';

/** Help of `agentpr-bot`; its first line names the CLI command it is. */
export const BOT_HELP = serviceHelp({
  command: 'run-telegram-bot',
  summary: BOT_SUMMARY,
  bin: 'agentpr-bot',
  flags: BOT_FLAGS,
  stdout: 'The stop summary goes to stdout.',
  example: 'AGENTPR_TELEGRAM_BOT_TOKEN=123456:ABC… agentpr-bot --allow-chat-id 123456789 --admin-chat-id 123456789',
});

/** The parsed command line of `agentpr-bot` / `agentpr run-telegram-bot`. */
export interface BotArgs {
  flags: TelegramBotFlags;
  githubApiUrl: string | undefined;
}

/** Reads the bot's flag values; they are checked by `resolveTelegramBotConfig` when the bot starts. */
export function parseBotArgs(values: FlagValues): BotArgs {
  return {
    githubApiUrl: str(values, 'github-api-url'),
    flags: {
      telegramToken: str(values, 'telegram-token'),
      telegramApiUrl: str(values, 'telegram-api-url'),
      allowChatId: list(values, 'allow-chat-id'),
      writeChatId: list(values, 'write-chat-id'),
      adminChatId: list(values, 'admin-chat-id'),
      allowAnyChat: flag(values, 'allow-any-chat'),
      allowUserId: list(values, 'allow-user-id'),
      writeUserId: list(values, 'write-user-id'),
      adminUserId: list(values, 'admin-user-id'),
      pollTimeoutSec: str(values, 'poll-timeout-sec'),
      idleSleepSec: str(values, 'idle-sleep-sec'),
      listLimit: str(values, 'list-limit'),
      rateLimitWindowSec: str(values, 'rate-limit-window-sec'),
      rateLimitPerChat: str(values, 'rate-limit-per-chat'),
      rateLimitGlobal: str(values, 'rate-limit-global'),
      rateLimitStrangers: str(values, 'rate-limit-strangers'),
      auditLogFile: str(values, 'audit-log-file'),
      noNotifications: flag(values, 'no-notifications'),
      notifyIntervalSec: str(values, 'notify-interval-sec'),
      pollerLeaseSec: str(values, 'poller-lease-sec'),
      llmBaseUrl: str(values, 'llm-base-url'),
      llmModel: str(values, 'llm-model'),
      offline: flag(values, 'offline'),
    },
  };
}
