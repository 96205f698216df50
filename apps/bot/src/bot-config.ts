import { isAbsolute, resolve } from 'node:path';
import { resolveLlmConfig, type LlmConfigResolution } from '@agentpr/assistant';
import { loadPolicy, resolveManagerLlmPolicy, resolveOfflineMode, type ManagerPolicy } from '@agentpr/policy';
import {
  botIdFromToken,
  createChatAcl,
  resolveTelegramBotSettings,
  TelegramError,
  type ChatAcl,
  type TelegramBotSettings,
} from '@agentpr/telegram';
import { AgentprError } from '@agentpr/orchestrator';
import { DEFAULT_POLLER_LEASE_SEC } from './run-with-poller-lease.js';

/** The run-telegram-bot flags as raw strings, shared by `agentpr run-telegram-bot` and `agentpr-bot`. */
export interface TelegramBotFlags {
  telegramToken?: string | undefined;
  telegramApiUrl?: string | undefined;
  allowChatId?: readonly string[] | undefined;
  writeChatId?: readonly string[] | undefined;
  adminChatId?: readonly string[] | undefined;
  allowAnyChat?: boolean | undefined;
  /** People who may use the bot inside group chats (read tier up to the group's). */
  allowUserId?: readonly string[] | undefined;
  /** People who may use the write commands inside group chats. */
  writeUserId?: readonly string[] | undefined;
  /** People who may approve PRs inside group chats. */
  adminUserId?: readonly string[] | undefined;
  pollTimeoutSec?: string | undefined;
  idleSleepSec?: string | undefined;
  listLimit?: string | undefined;
  rateLimitWindowSec?: string | undefined;
  rateLimitPerChat?: string | undefined;
  rateLimitGlobal?: string | undefined;
  /** Addition: attempts from all unknown chats together per window (default 20). */
  rateLimitStrangers?: string | undefined;
  auditLogFile?: string | undefined;
  /** Addition: turn push notifications off. */
  noNotifications?: boolean | undefined;
  /** Addition: seconds between notification scans (default 15). */
  notifyIntervalSec?: string | undefined;
  /** The manager LLM's OpenAI-compatible endpoint (`--llm-base-url`, else `AGENTPR_LLM_BASE_URL`, else the policy). */
  llmBaseUrl?: string | undefined;
  /** The manager LLM's model (`--llm-model`, else `AGENTPR_LLM_MODEL`, else the policy). */
  llmModel?: string | undefined;
  /** The global `--offline`: only a loopback manager LLM is allowed. */
  offline?: boolean | undefined;
  /** Seconds the poller lease lives without renewal (`--poller-lease-sec`, else `AGENTPR_TELEGRAM_POLLER_LEASE_SEC`, default 30). */
  pollerLeaseSec?: string | undefined;
}

/** Everything the bot needs to start, resolved from flags, env and policy. Holds the token: never log it. */
export interface TelegramBotConfig {
  token: string;
  botId: string;
  /** `--telegram-api-url` / `AGENTPR_TELEGRAM_API_URL`, or undefined for api.telegram.org. */
  apiUrl: string | undefined;
  acl: ChatAcl;
  settings: TelegramBotSettings;
  /** Absolute path of the audit log. */
  auditFile: string;
  notifications: boolean;
  notifyIntervalSec: number;
  /** How long the poller lease (one poller per token) lives without renewal; renewed every third of it. */
  pollerLeaseSec: number;
}

function chatIds(flag: string, values: readonly string[] | undefined): number[] {
  return (values ?? []).map((raw) => {
    const text = raw.trim();
    const n = Number(text);
    if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || n === 0) {
      throw new AgentprError('usage', `${flag} ${JSON.stringify(raw)} is not a chat id; give the integer id of the chat (negative for groups). Send /start to @userinfobot or read getUpdates to find it.`);
    }
    return n;
  });
}

function userIds(flag: string, values: readonly string[] | undefined): number[] {
  return (values ?? []).map((raw) => {
    const text = raw.trim();
    const n = Number(text);
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
      throw new AgentprError('usage', `${flag} ${JSON.stringify(raw)} is not a Telegram user id; give the positive integer id of the person (from.id in getUpdates), not a group id.`);
    }
    return n;
  });
}

function intFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw new AgentprError('usage', `${flag} must be an integer of at least 1, got ${JSON.stringify(raw)}`);
  const n = Number(text);
  if (n < 1) throw new AgentprError('usage', `${flag} must be an integer of at least 1, got ${n}`);
  return n;
}

/** The poller lease: whole seconds from 2 (renewed every third of it) to 3600; default {@link DEFAULT_POLLER_LEASE_SEC}. */
function pollerLeaseSec(flag: string | undefined, env: string | undefined): number {
  const [name, raw] = flag !== undefined ? ['--poller-lease-sec', flag] : ['AGENTPR_TELEGRAM_POLLER_LEASE_SEC', env];
  if (raw === undefined || (name !== '--poller-lease-sec' && raw.trim() === '')) return DEFAULT_POLLER_LEASE_SEC;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d{1,4}$/.test(text) || n < 2 || n > 3600) {
    throw new AgentprError('usage', `${name} must be a whole number of seconds from 2 to 3600 (the poller lease; default ${DEFAULT_POLLER_LEASE_SEC}), got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return n;
}

function apiUrl(raw: string | undefined): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentprError('usage', `--telegram-api-url ${JSON.stringify(text)} is not a URL; give the Bot API origin, e.g. http://127.0.0.1:8081`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentprError('usage', `--telegram-api-url must be an http(s) URL, got ${url.protocol}`);
  return text.replace(/\/+$/, '');
}

/**
 * Resolves the bot's configuration: the token from `--telegram-token` or
 * `AGENTPR_TELEGRAM_BOT_TOKEN`, the Bot API URL from `--telegram-api-url` or `AGENTPR_TELEGRAM_API_URL`, the chat
 * ACL (at least one chat id unless `--allow-any-chat`; optional `--*-user-id` people who cap tiers in group
 * chats), and the settings (flag > policy `telegram_bot` >
 * default). Throws `AgentprError` `usage` for bad flags and `config` for a missing or malformed token; no message
 * contains the token.
 *
 * @example
 * const config = resolveTelegramBotConfig({ flags: { allowChatId: ['42'] }, env: process.env, dataDir: '/var/lib/agentpr' });
 */
export function resolveTelegramBotConfig(input: {
  flags: TelegramBotFlags;
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  policy?: Partial<TelegramBotSettings> | undefined;
}): TelegramBotConfig {
  const { flags, env } = input;
  const token = (flags.telegramToken ?? env.AGENTPR_TELEGRAM_BOT_TOKEN ?? '').trim();
  if (!token) {
    throw new AgentprError('config', 'no Telegram bot token: pass --telegram-token or set AGENTPR_TELEGRAM_BOT_TOKEN (get a token from @BotFather).');
  }
  let botId: string;
  let acl: ChatAcl;
  let settings: TelegramBotSettings;
  try {
    botId = botIdFromToken(token);
  } catch (error) {
    throw new AgentprError('config', (error as Error).message);
  }
  const ids = {
    allowChatIds: chatIds('--allow-chat-id', flags.allowChatId),
    writeChatIds: chatIds('--write-chat-id', flags.writeChatId),
    adminChatIds: chatIds('--admin-chat-id', flags.adminChatId),
    allowAnyChat: flags.allowAnyChat === true,
    allowUserIds: userIds('--allow-user-id', flags.allowUserId),
    writeUserIds: userIds('--write-user-id', flags.writeUserId),
    adminUserIds: userIds('--admin-user-id', flags.adminUserId),
  };
  try {
    acl = createChatAcl(ids);
    const flagSettings: Partial<TelegramBotSettings> = {};
    const set = <K extends keyof TelegramBotSettings>(key: K, value: TelegramBotSettings[K] | undefined) => {
      if (value !== undefined) flagSettings[key] = value;
    };
    set('pollTimeoutSec', intFlag('--poll-timeout-sec', flags.pollTimeoutSec));
    set('idleSleepSec', intFlag('--idle-sleep-sec', flags.idleSleepSec));
    set('listLimit', intFlag('--list-limit', flags.listLimit));
    set('rateLimitWindowSec', intFlag('--rate-limit-window-sec', flags.rateLimitWindowSec));
    set('rateLimitPerChat', intFlag('--rate-limit-per-chat', flags.rateLimitPerChat));
    set('rateLimitGlobal', intFlag('--rate-limit-global', flags.rateLimitGlobal));
    set('rateLimitStrangers', intFlag('--rate-limit-strangers', flags.rateLimitStrangers));
    set('auditLogFile', flags.auditLogFile);
    settings = resolveTelegramBotSettings(input.policy ?? {}, flagSettings);
  } catch (error) {
    if (error instanceof TelegramError) throw new AgentprError('usage', error.message);
    throw error;
  }
  const auditFile = isAbsolute(settings.auditLogFile) ? settings.auditLogFile : resolve(input.dataDir, settings.auditLogFile);
  return {
    token,
    botId,
    apiUrl: apiUrl(flags.telegramApiUrl ?? env.AGENTPR_TELEGRAM_API_URL),
    acl,
    settings,
    auditFile,
    notifications: flags.noNotifications !== true,
    notifyIntervalSec: intFlag('--notify-interval-sec', flags.notifyIntervalSec) ?? 15,
    pollerLeaseSec: pollerLeaseSec(flags.pollerLeaseSec, env.AGENTPR_TELEGRAM_POLLER_LEASE_SEC),
  };
}

/** The policy the bot runs with: the whole manager policy (for approvals) and its `telegram_bot` settings. */
export interface BotPolicy {
  policy: ManagerPolicy;
  settings: Partial<TelegramBotSettings>;
  /** Unknown keys in the file, for the operator. */
  warnings: string[];
}

/**
 * Loads the manager policy file with `@agentpr/policy` and picks the `telegram_bot` section. A
 * missing file gives the built-in defaults. Invalid JSON is an `AgentprError` `invalid_json` (exit 2); invalid
 * values are `config` errors naming the field.
 */
export async function loadBotPolicy(policyFile: string): Promise<BotPolicy> {
  const loaded = await loadPolicy(policyFile);
  if (!loaded.ok) {
    throw new AgentprError(loaded.error.code === 'invalid_json' ? 'invalid_json' : 'config', loaded.error.message, { cause: loaded.error });
  }
  const t = loaded.policy.telegram_bot;
  return {
    policy: loaded.policy,
    warnings: loaded.warnings,
    settings: {
      pollTimeoutSec: t.poll_timeout_sec,
      idleSleepSec: t.idle_sleep_sec,
      listLimit: t.list_limit,
      rateLimitWindowSec: t.rate_limit_window_sec,
      rateLimitPerChat: t.rate_limit_per_chat,
      rateLimitGlobal: t.rate_limit_global,
      auditLogFile: t.audit_log_file,
      auditMaxBytes: t.audit_max_bytes,
      auditKeepFiles: t.audit_keep_files,
    },
  };
}

/**
 * Resolves the manager LLM that answers plain-word messages: `--llm-base-url` / `--llm-model` > `AGENTPR_LLM_BASE_URL`
 * / `AGENTPR_LLM_MODEL` > the policy's `manager_llm`, the key only from `AGENTPR_LLM_API_KEY`; in offline mode only a
 * loopback endpoint. `unconfigured` (the bot then runs its commands only) carries one line saying why; a malformed
 * URL or model name throws `AgentprError('usage')` (exit 2) before anything is contacted.
 *
 * @example
 * const llm = resolveBotLlm({ flags: { llmModel: 'gpt-4.1-mini' }, env: app.env, policy: loaded.policy });
 */
export function resolveBotLlm(input: {
  flags: TelegramBotFlags;
  env: Readonly<Record<string, string | undefined>>;
  policy: ManagerPolicy;
}): LlmConfigResolution {
  const { flags, env, policy } = input;
  const offline = resolveOfflineMode({ env, flag: flags.offline === true, policy: policy.offline }).offline;
  return resolveLlmConfig({ flags: { baseUrl: flags.llmBaseUrl, model: flags.llmModel }, env, policy: resolveManagerLlmPolicy(policy), offline });
}
