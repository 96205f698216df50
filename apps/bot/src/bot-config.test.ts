import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { AgentprError } from '@agentpr/orchestrator';
import { loadBotPolicy, resolveBotLlm, resolveTelegramBotConfig } from './bot-config.js';

const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';

function failure(fn: () => unknown): AgentprError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentprError);
    expect((error as Error).message).not.toContain('AAFakeSecret');
    return error as AgentprError;
  }
  throw new Error('expected a failure');
}

describe('resolveTelegramBotConfig', () => {
  it('takes the token and the API URL from env, resolves the audit file against the data dir and keeps defaults', () => {
    const config = resolveTelegramBotConfig({
      flags: { allowChatId: ['42', '-1001234567890'] },
      env: { AGENTPR_TELEGRAM_BOT_TOKEN: ` ${TOKEN} `, AGENTPR_TELEGRAM_API_URL: 'http://127.0.0.1:8081/' },
      dataDir: '/srv/agentpr',
    });
    expect(config).toMatchObject({ token: TOKEN, botId: '5550001', apiUrl: 'http://127.0.0.1:8081', auditFile: '/srv/agentpr/reports/telegram_audit.jsonl', notifications: true, notifyIntervalSec: 15 });
    expect([...config.acl.admin]).toEqual([42, -1001234567890]);
    expect(config.settings.pollTimeoutSec).toBe(30);
  });

  it('prefers --telegram-token and flags over env and policy', () => {
    const config = resolveTelegramBotConfig({
      flags: { telegramToken: TOKEN, allowChatId: ['1'], listLimit: '5', auditLogFile: '/var/log/bot.jsonl', noNotifications: true },
      env: { AGENTPR_TELEGRAM_BOT_TOKEN: '1:other' },
      dataDir: '/d',
      policy: { listLimit: 9, pollTimeoutSec: 10 },
    });
    expect(config).toMatchObject({ token: TOKEN, auditFile: '/var/log/bot.jsonl', notifications: false });
    expect(config.settings).toMatchObject({ listLimit: 5, pollTimeoutSec: 10 });
  });

  it('--poller-lease-sec (else AGENTPR_TELEGRAM_POLLER_LEASE_SEC, else 30) sets the poller lease; other values are refused in one line', () => {
    const base = { flags: { allowChatId: ['1'] }, env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, dataDir: '/d' };
    expect(resolveTelegramBotConfig(base).pollerLeaseSec).toBe(30);
    expect(resolveTelegramBotConfig({ ...base, env: { ...base.env, AGENTPR_TELEGRAM_POLLER_LEASE_SEC: '5' } }).pollerLeaseSec).toBe(5);
    expect(resolveTelegramBotConfig({ ...base, flags: { ...base.flags, pollerLeaseSec: '3' }, env: { ...base.env, AGENTPR_TELEGRAM_POLLER_LEASE_SEC: '5' } }).pollerLeaseSec).toBe(3);
    for (const bad of ['1', '3601', '2.5', 'ten', '', '-4']) {
      const error = failure(() => resolveTelegramBotConfig({ ...base, flags: { ...base.flags, pollerLeaseSec: bad } }));
      expect(error.code).toBe('usage');
      expect(error.message).toMatch(/^--poller-lease-sec must be a whole number of seconds from 2 to 3600 \(the poller lease; default 30\), got "/);
    }
    const fromEnv = failure(() => resolveTelegramBotConfig({ ...base, env: { ...base.env, AGENTPR_TELEGRAM_POLLER_LEASE_SEC: '0' } }));
    expect(fromEnv.message).toMatch(/^AGENTPR_TELEGRAM_POLLER_LEASE_SEC must be a whole number of seconds/);
  });

  it('without a token fails naming the flag and the env var', () => {
    const error = failure(() => resolveTelegramBotConfig({ flags: { allowChatId: ['1'] }, env: {}, dataDir: '/d' }));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(/--telegram-token.*AGENTPR_TELEGRAM_BOT_TOKEN/);
  });

  it('with a malformed token fails without echoing it', () => {
    const error = failure(() => resolveTelegramBotConfig({ flags: { telegramToken: 'AAFakeSecret-no-colon', allowChatId: ['1'] }, env: {}, dataDir: '/d' }));
    expect(error.code).toBe('config');
  });

  it('without chat ids and without --allow-chat-id fails asking for --allow-chat-id or --allow-any-chat', () => {
    const error = failure(() => resolveTelegramBotConfig({ flags: {}, env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, dataDir: '/d' }));
    expect(error.code).toBe('usage');
    expect(error.message).toMatch(/--allow-chat-id.*--allow-any-chat for local development only/);
  });

  it('refuses a chat id that is not an integer, a limit below 1 and a bad API URL', () => {
    const base = { env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, dataDir: '/d' };
    expect(failure(() => resolveTelegramBotConfig({ ...base, flags: { allowChatId: ['@me'] } })).message).toMatch(/--allow-chat-id "@me" is not a chat id/);
    expect(failure(() => resolveTelegramBotConfig({ ...base, flags: { allowChatId: ['1'], rateLimitPerChat: '0' } })).message).toMatch(/--rate-limit-per-chat must be an integer of at least 1/);
    expect(failure(() => resolveTelegramBotConfig({ ...base, flags: { allowChatId: ['1'], telegramApiUrl: 'ftp://x' } })).message).toMatch(/http\(s\)/);
  });

  it('reads --allow-user-id, --write-user-id and --admin-user-id into the user tiers of group chats', () => {
    const config = resolveTelegramBotConfig({
      flags: { adminChatId: ['-1001234567890', '42'], allowUserId: ['5'], writeUserId: [' 6 '], adminUserId: ['7'], rateLimitStrangers: '5' },
      env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN },
      dataDir: '/d',
    });
    expect(config.acl.users).not.toBeNull();
    expect([...config.acl.users!.allowed].sort()).toEqual([5, 6, 7]);
    expect([...config.acl.users!.write].sort()).toEqual([6, 7]);
    expect([...config.acl.users!.admin]).toEqual([7]);
    expect(config.settings.rateLimitStrangers).toBe(5);
    expect(resolveTelegramBotConfig({ flags: { allowChatId: ['1'] }, env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, dataDir: '/d' }).acl.users).toBeNull();
  });

  it('refuses a user id that is negative, zero, not a number or too long, with one usage line naming the flag', () => {
    const base = { env: { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, dataDir: '/d' };
    for (const [flag, key, raw] of [
      ['--admin-user-id', 'adminUserId', '-1001234567890'],
      ['--write-user-id', 'writeUserId', '0'],
      ['--allow-user-id', 'allowUserId', '@alice'],
      ['--allow-user-id', 'allowUserId', '12345678901234567'],
    ] as const) {
      const error = failure(() => resolveTelegramBotConfig({ ...base, flags: { allowChatId: ['1'], [key]: [raw] } }));
      expect(error.code).toBe('usage');
      expect(error.message).toBe(`${flag} ${JSON.stringify(raw)} is not a Telegram user id; give the positive integer id of the person (from.id in getUpdates), not a group id.`);
    }
    expect(failure(() => resolveTelegramBotConfig({ ...base, flags: { allowChatId: ['1'], rateLimitStrangers: '0' } })).message).toMatch(/--rate-limit-strangers must be an integer of at least 1/);
  });
});

describe('loadBotPolicy', () => {
  afterEach(() => cleanupTempDirs());

  it('gives the built-in telegram_bot defaults for a missing file and maps a given section', async () => {
    const dir = tempDir();
    expect((await loadBotPolicy(join(dir, 'missing.json'))).settings).toMatchObject({ pollTimeoutSec: 30, listLimit: 20, auditLogFile: 'reports/telegram_audit.jsonl', auditKeepFiles: 5 });
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ telegram_bot: { list_limit: 3, audit_log_file: 'bot/audit.jsonl', audit_keep_files: 2 } }));
    const loaded = await loadBotPolicy(file);
    expect(loaded.settings).toMatchObject({ listLimit: 3, auditLogFile: 'bot/audit.jsonl', auditKeepFiles: 2, rateLimitGlobal: 120 });
    expect(loaded.policy.run_agent_step.max_changed_files).toBe(8);
  });

  it('reports invalid JSON as invalid_json and a wrong value as config naming the field', async () => {
    const dir = tempDir();
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ telegram_bot: { poll_timeout_sec: 'soon' } }));
    const bad = await loadBotPolicy(file).catch((e: unknown) => e as AgentprError);
    expect(bad).toMatchObject({ code: 'config', message: expect.stringMatching(/telegram_bot\.poll_timeout_sec/) });
    writeFileSync(file, '{ nope');
    const invalid = await loadBotPolicy(file).catch((e: unknown) => e as AgentprError);
    expect(invalid).toMatchObject({ code: 'invalid_json', message: expect.stringMatching(/^invalid JSON: /) });
  });
});

describe('resolveBotLlm', () => {
  afterEach(() => cleanupTempDirs());

  async function policyWith(section: Record<string, unknown>) {
    const file = join(tempDir(), 'policy.json');
    writeFileSync(file, JSON.stringify({ manager_llm: section }));
    return (await loadBotPolicy(file)).policy;
  }

  it('takes the flag over the environment over the policy, the key only from the environment, and the limits from the policy', async () => {
    const policy = await policyWith({ base_url: 'http://127.0.0.1:11434/v1', model: 'policy-model', max_tool_calls: 3 });
    expect(resolveBotLlm({ flags: {}, env: {}, policy })).toMatchObject({
      kind: 'configured',
      config: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'policy-model', provider: 'openai-compatible', limits: { maxToolCalls: 3 } },
    });
    expect(resolveBotLlm({ flags: {}, env: { AGENTPR_LLM_MODEL: 'env-model', AGENTPR_LLM_API_KEY: 'sk-env' }, policy })).toMatchObject({
      config: { model: 'env-model', apiKey: 'sk-env' },
    });
    const flagged = resolveBotLlm({ flags: { llmBaseUrl: 'http://127.0.0.1:8000/v1', llmModel: 'flag-model' }, env: { AGENTPR_LLM_MODEL: 'env-model' }, policy });
    expect(flagged).toMatchObject({ config: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'flag-model' } });
  });

  it('without a model anywhere, or offline with a hosted endpoint, the bot runs without a manager LLM and says why', async () => {
    const none = resolveBotLlm({ flags: {}, env: {}, policy: await policyWith({}) });
    expect(none).toMatchObject({ kind: 'unconfigured', message: expect.stringContaining('AGENTPR_LLM_MODEL') });
    const offline = resolveBotLlm({ flags: { offline: true, llmModel: 'gpt-4.1-mini' }, env: { AGENTPR_LLM_API_KEY: 'sk-x' }, policy: await policyWith({}) });
    expect(offline).toMatchObject({ kind: 'unconfigured', message: expect.stringMatching(/offline/i) });
  });

  it('a malformed endpoint or model name is a usage error naming the flag, without echoing a password', async () => {
    const policy = await policyWith({});
    const url = failure(() => resolveBotLlm({ flags: { llmBaseUrl: 'ftp://ops:hunter2secret@example.com/v1', llmModel: 'm' }, env: {}, policy }));
    expect(url).toMatchObject({ code: 'usage' });
    expect(url.message).toContain('--llm-base-url');
    expect(url.message).not.toContain('hunter2secret');
    expect(url.message.split('\n')).toHaveLength(1);
    const model = failure(() => resolveBotLlm({ flags: { llmModel: 'no spaces allowed' }, env: {}, policy }));
    expect(model).toMatchObject({ code: 'usage', message: expect.stringContaining('--llm-model') });
  });
});
