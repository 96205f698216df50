import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentprError, createAppPorts, dataDirPaths, silentLogger, type AppContext } from '@agentpr/orchestrator';
import { applyEvent, createRun, insertPrRequest, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, startFakeBotApi, startTelegramTestApi, tempDir, type TelegramTestApi } from '@agentpr/testing';
import { startLlmStub, type RunningLlmStub } from '@agentpr/llm-stub';
import { runTelegramBotService } from '../run-telegram-bot-service.js';

const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';
const CHAT = 4242;

let store: OpenDatabase;
let app: AppContext;
let dir: string;

function context(env: Record<string, string>): AppContext {
  return {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(dir),
  };
}

async function waitFor<T>(check: () => T | undefined | null | false, what: string): Promise<T> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

beforeEach(async () => {
  store = await openStore((await freshDatabase('sqlite')).location);
  dir = tempDir('agentpr-bot-app-');
});

afterEach(async () => {
  await store.close();
  cleanupTempDirs();
});

describe('runTelegramBotService', () => {
  let api: TelegramTestApi;
  beforeEach(async () => {
    api = await startTelegramTestApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  const replies = () => api.server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(CHAT)).map((m) => String(m.message.text));

  async function say(text: string): Promise<string> {
    const before = replies().length;
    const client = api.server.getClient(TOKEN, { chatId: CHAT, userId: CHAT });
    await client.sendMessage(client.makeMessage(text));
    return waitFor(() => replies()[before], `the reply to ${text}`);
  }

  it('reads token and Bot API URL from env and limits from the policy file, runs commands and stops on abort', async () => {
    app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: api.apiUrl });
    writeFileSync(app.paths.policyFile, JSON.stringify({ telegram_bot: { list_limit: 1, audit_log_file: 'custom/bot-audit.jsonl' } }));
    for (const runId of ['run_one', 'run_two']) {
      await createRun(app.db, { runId, owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(dir, runId) });
    }
    const controller = new AbortController();
    const lines: string[] = [];
    const running = runTelegramBotService({ app, flags: { allowChatId: [String(CHAT)] }, signal: controller.signal, announce: (l) => lines.push(l) });
    const list = await say('/list');
    expect(list.split('\n').filter((l) => l.startsWith('run_'))).toHaveLength(1);
    const auditFile = join(dir, 'custom', 'bot-audit.jsonl');
    await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('"command":"list"'), 'the audit line');
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ ok: true, bot_id: '5550001', audit_log_file: auditFile, commands: 1 });
    expect(lines[0]).toMatch(/^telegram bot 5550001: 1 allowed, 1 write, 1 admin chat\(s\); audit log .*bot-audit\.jsonl; Bot API http:\/\/127\.0\.0\.1:\d+; plain-word questions off \(no manager LLM\)$/);
    expect(lines.join('\n')).not.toContain('AAFakeSecret');
  });

  it('under umask 022 the audit log is created 0600 in new 0700 directories, and group user ids are announced', async () => {
    app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: api.apiUrl });
    const controller = new AbortController();
    const lines: string[] = [];
    mkdirSync(join(dir, 'shared'));
    chmodSync(join(dir, 'shared'), 0o755);
    const previous = process.umask(0o022);
    try {
      const flags = { allowChatId: [String(CHAT)], adminUserId: ['7'], auditLogFile: 'shared/private/bot/audit.jsonl' };
      const running = runTelegramBotService({ app, flags, signal: controller.signal, announce: (l) => lines.push(l) });
      await say('/help');
      controller.abort();
      await running;
    } finally {
      process.umask(previous);
    }
    const auditFile = join(dir, 'shared', 'private', 'bot', 'audit.jsonl');
    expect(statSync(auditFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'shared', 'private')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'shared', 'private', 'bot')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'shared')).mode & 0o777).toBe(0o755); // an existing directory is left as it was
    expect(lines[0]).toContain('; in groups 1 allowed, 1 write, 1 admin user(s);');
  });

  it('/approve_pr shows the approval card from the in-process use cases, without a doctor or a subprocess', async () => {
    app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, GITHUB_TOKEN: 'ghp_fake_for_tests', GITHUB_API_URL: 'http://127.0.0.1:9/' });
    await createRun(app.db, { runId: 'run_pr', owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(app.paths.workspaceRoot, 'missing-workspace') });
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: '/tmp/c.md' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'b'.repeat(40) },
    ] as const) {
      await applyEvent(app.db, 'run_pr', { event });
    }
    await insertPrRequest(app.db, {
      run_id: 'run_pr',
      request_file: join(dir, 'reports', 'run_pr_pr_open_request.json'),
      title: 't',
      body: 'b',
      base: 'main',
      head: 'agentpr/x',
      head_owner: 'fork',
      head_sha: 'b'.repeat(40),
      draft: 0,
      confirm_token_sha256: createHash('sha256').update('ABCDEF0123456789').digest('hex'),
      created_at: new Date().toISOString(),
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      consumed_at: null,
    });
    const controller = new AbortController();
    const running = runTelegramBotService({ app, flags: { allowChatId: [String(CHAT)], telegramApiUrl: api.apiUrl }, signal: controller.signal });
    const answer = await say('/approve_pr run_pr ABCDEF0123456789');
    expect(answer).toMatch(/^PR request: octo-org\/widgets \(run run_pr\)\nTitle: t\nBase: main ← head: agentpr\/x @ bbbbbbb\nFiles: \(the diff could not be read\)/);
    expect(answer).toContain('(No token needed: approve with the buttons.)');
    expect(answer).not.toContain('ABCDEF0123456789');
    controller.abort();
    await running;
  });
});

describe('runTelegramBotService with a manager LLM', () => {
  const LLM_KEY = 'sk-test-ServiceLlmKeyOnly-0123456789';
  let api: TelegramTestApi;
  let stub: RunningLlmStub;
  beforeEach(async () => {
    api = await startTelegramTestApi();
    stub = await startLlmStub({ scenario: 'read-stuck-runs', apiKey: LLM_KEY });
  });
  afterEach(async () => {
    await stub.close();
    await api.stop();
  });

  it('configured from the environment, answers a plain-word message from the store and audits the turn without the key', async () => {
    app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: api.apiUrl, AGENTPR_LLM_BASE_URL: stub.url, AGENTPR_LLM_MODEL: 'stub-manager', AGENTPR_LLM_API_KEY: LLM_KEY });
    await createRun(app.db, { runId: 'run_llm01', owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(dir, 'run_llm01') });
    const controller = new AbortController();
    const lines: string[] = [];
    const running = runTelegramBotService({ app, flags: { allowChatId: [String(CHAT)] }, signal: controller.signal, announce: (l) => lines.push(l) });
    const client = api.server.getClient(TOKEN, { chatId: CHAT, userId: CHAT });
    await client.sendMessage(client.makeMessage(`which runs are stuck? ${LLM_KEY}`));
    const auditFile = join(dir, 'reports', 'telegram_audit.jsonl');
    await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('"command":"ask"'), 'the ask audit line');
    controller.abort();
    await running;
    const reply = api.server.storage.botMessages.map((m) => String(m.message.text)).join('\n');
    expect(reply).toContain('octo-org/widgets');
    expect(lines[0]).toMatch(/; manager LLM stub-manager at http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const audit = readFileSync(auditFile, 'utf8');
    expect(audit).toContain('"kind":"assistant_question"');
    expect(audit).toContain('"kind":"assistant_reply"');
    expect(audit + reply + lines.join('\n')).not.toContain(LLM_KEY);
    expect(stub.requests.every((r) => r.authorized)).toBe(true);
  });
});

describe('runTelegramBotService configuration errors', () => {
  it('fails before contacting Telegram when no chat id is given', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    try {
      app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: fake.apiUrl });
      const error = await runTelegramBotService({ app, flags: {}, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentprError);
      expect((error as AgentprError).code).toBe('usage');
      expect((error as Error).message).toMatch(/--allow-chat-id/);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('an audit log whose directory cannot be made (/proc) fails before contacting Telegram, with one line', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    try {
      app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: fake.apiUrl });
      const flags = { allowChatId: ['1'], auditLogFile: '/proc/agentpr-nope/bot.jsonl' };
      const error = await runTelegramBotService({ app, flags, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^cannot create the directory of the Telegram audit log \/proc\/agentpr-nope\/bot\.jsonl: ENOENT: .*; pass --audit-log-file under a writable directory$/) });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('reports an invalid policy file as invalid JSON', async () => {
    app = context({ AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
    writeFileSync(app.paths.policyFile, '{"telegram_bot": ');
    const error = await runTelegramBotService({ app, flags: { allowChatId: ['1'] }, signal: new AbortController().signal }).catch((e: unknown) => e);
    expect((error as AgentprError).code).toBe('invalid_json');
  });
});
