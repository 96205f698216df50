import { chmodSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AgentprError, approvePrInProcess, createGitHubPort, type AppContext, type ApprovePr, type GitHubPort } from '@agentpr/orchestrator';
import { createAssistant, type LlmConfig } from '@agentpr/assistant';
import { loadBotPolicy, resolveBotLlm, resolveTelegramBotConfig, type TelegramBotFlags } from './bot-config.js';
import type { BotAssistant } from './assistant-chat.js';
import { runTelegramBot, type TelegramBotSummary } from './run-telegram-bot.js';
import { pollerLeaseName, runWithPollerLease } from './run-with-poller-lease.js';
import { leaseHolder } from '@agentpr/store';
import { createTelegramChatClient, TelegramAuditLog, tokenSecrets, type ChatClient, type TelegramChatClientOptions } from '@agentpr/telegram';
import { makeDirectory } from '@agentpr/workspace/directories';

/** What the bot service needs from its process. */
export interface TelegramBotServiceInput {
  /** The app context with the store open (the bot switches the actor to `bot` itself). */
  app: AppContext;
  flags: TelegramBotFlags;
  /** Abort to stop after the update in hand (SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** `--github-api-url` for approvals (GitHub Enterprise or a stub). */
  githubApiUrl?: string | undefined;
  /** Receives one line when the bot starts (never contains the token). */
  announce?: ((line: string) => void) | undefined;
  /** Replaces the real Telegram client (tests). */
  createChatClient?: ((options: TelegramChatClientOptions) => ChatClient) | undefined;
  /** Replaces the in-process approve-open-pr (tests). */
  approvePr?: ApprovePr | undefined;
}

/** The manager LLM for plain-word messages, writing its trail into the bot's audit log; undefined when not configured. */
function botAssistant(app: AppContext, config: LlmConfig | undefined, audit: TelegramAuditLog, signal: AbortSignal): BotAssistant | undefined {
  if (!config) return undefined;
  return createAssistant({ ...app, actor: 'bot' }, { config, audit: { write: (record) => audit.assistant(record) }, runtime: { signal } });
}

/** `; manager LLM <model> at <endpoint>` for the start line: never the key. */
function llmNote(config: LlmConfig | undefined): string {
  if (!config) return '; plain-word questions off (no manager LLM)';
  const url = new URL(config.baseUrl);
  return `; manager LLM ${config.model} at ${url.protocol}//${url.host}${url.pathname}`;
}

/** What the service reports when it stops. */
export interface TelegramBotServiceResult extends TelegramBotSummary {
  ok: true;
  bot_id: string;
  audit_log_file: string;
  /** How many times this process took the poller lease and polled (0: it stood by the whole time). */
  poller_terms: number;
}

/** The sum of the summaries of each time the bot polled. */
function sumSummaries(terms: readonly TelegramBotSummary[]): TelegramBotSummary {
  const total: TelegramBotSummary = { updates: 0, commands: 0, notifications: 0, pollErrors: 0, strangerAttempts: 0, strangerUnaudited: 0 };
  for (const term of terms) for (const key of Object.keys(total) as Array<keyof TelegramBotSummary>) total[key] += term[key];
  return total;
}

/** GitHub for `/approve_pr`: the app's port, or one for `--github-api-url` (GitHub Enterprise or a stub). */
function approvalGitHub(app: AppContext, apiUrl: string | undefined): GitHubPort | undefined {
  return apiUrl === undefined ? undefined : createGitHubPort(app.env, { apiUrl, log: app.log });
}

/** `makeDirectory`, with every level it creates set to 0700 whatever the umask: the audit log is private. */
function makePrivateDirectory(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  makeDirectory(dir);
  for (const level of missing) chmodSync(level, 0o700);
}

/**
 * Wires and runs the Telegram control bot (`agentpr run-telegram-bot`, `agentpr-bot`): reads the
 * `telegram_bot` section of the policy file, resolves flags and env (token, Bot API URL, chat and user ids,
 * limits), opens the audit log (file 0600; directories it has to make 0700), builds the real Bot API client and the
 * in-process approve-open-pr, and runs the bot until the signal aborts, polling only while it holds the poller lease
 * of its token (one poller per token across processes and hosts; see `runWithPollerLease`). Configuration errors
 * throw `AgentprError` before anything is contacted.
 *
 * @example
 * await runTelegramBotService({ app, flags: { allowChatId: ['123456789'] }, signal });
 */
export async function runTelegramBotService(input: TelegramBotServiceInput): Promise<TelegramBotServiceResult> {
  const { app } = input;
  const policy = await loadBotPolicy(app.paths.policyFile);
  for (const warning of policy.warnings) app.log.warn(warning);
  const config = resolveTelegramBotConfig({ flags: input.flags, env: app.env, dataDir: app.paths.dataDir, policy: policy.settings });
  const llm = resolveBotLlm({ flags: input.flags, env: app.env, policy: policy.policy });
  if (llm.kind === 'unconfigured') app.log.info(llm.message);
  const llmConfig = llm.kind === 'configured' ? llm.config : undefined;
  // Neither the bot token nor the model's key is ever echoed in a reply or written to the audit log.
  const secrets = [...tokenSecrets(config.token), ...(llmConfig?.apiKey ? [llmConfig.apiKey] : [])];
  try {
    makePrivateDirectory(dirname(config.auditFile));
  } catch (cause) {
    throw new AgentprError('invalid_input', `cannot create the directory of the Telegram audit log ${config.auditFile}: ${(cause as Error).message}; pass --audit-log-file under a writable directory`, { cause });
  }
  const audit = new TelegramAuditLog({
    file: config.auditFile,
    maxBytes: config.settings.auditMaxBytes,
    keepFiles: config.settings.auditKeepFiles,
    clock: app.clock,
    secrets,
    onError: (error) => app.log.warn(`cannot write the Telegram audit log ${config.auditFile}: ${(error as Error).message}`),
  });
  const chat = (input.createChatClient ?? createTelegramChatClient)({ token: config.token, apiUrl: config.apiUrl });
  const { acl } = config;
  const users = acl.users ? `; in groups ${acl.users.allowed.size} allowed, ${acl.users.write.size} write, ${acl.users.admin.size} admin user(s)` : '';
  const tiers = `${acl.allowed.size} allowed, ${acl.write.size} write, ${acl.admin.size} admin chat(s)${users}${acl.allowAnyChat ? '; any chat may read (development only)' : ''}`;
  const holder = leaseHolder('telegram-bot', app.env);
  input.announce?.(`telegram bot ${config.botId}: ${tiers}; audit log ${config.auditFile}${config.apiUrl ? `; Bot API ${config.apiUrl}` : ''}${llmNote(llmConfig)}`);
  const approvePr = input.approvePr ?? approvePrInProcess({ github: approvalGitHub(app, input.githubApiUrl), policy: policy.policy });
  const assistant = botAssistant(app, llmConfig, audit, input.signal);
  const lease = { db: app.db, name: pollerLeaseName(config.token), holder, ttlMs: config.pollerLeaseSec * 1000, clock: app.clock, log: app.log };
  const terms = await runWithPollerLease({ ...lease, label: `telegram bot ${config.botId}`, signal: input.signal }, (signal) =>
    runTelegramBot(
      app,
      {
        botId: config.botId,
        acl: config.acl,
        settings: config.settings,
        audit,
        signal,
        approvePr,
        assistant,
        notifications: config.notifications,
        notifyIntervalMs: config.notifyIntervalSec * 1000,
        secrets,
      },
      chat,
    ),
  );
  return { ok: true, bot_id: config.botId, audit_log_file: config.auditFile, ...sumSummaries(terms), poller_terms: terms.length };
}
