import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, createRun, getBotState, listEvents, openStore, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { createChatAcl, createTelegramChatClient, TelegramAuditLog, type ChatAclOptions, type ChatClient } from '@agentpr/telegram';
import { freshDatabase, tempDir } from '@agentpr/testing';
import { createAppPorts, dataDirPaths, silentLogger, type AppContext } from '@agentpr/orchestrator';
import { botStateKeys } from '../bot-state-keys.js';
import type { BotAssistant } from '../assistant-chat.js';
import { runTelegramBot, type TelegramBotOptions, type TelegramBotSummary } from '../run-telegram-bot.js';

/** A realistic token shape; the secret half must never show up in replies or audit lines. */
export const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';
export const BOT_ID = '5550001';
export const ADMIN = 111;
export const WRITER = 222;
export const READER = 333;
export const STRANGER = 999;

/** A store on a fresh database (SQLite file or PostgreSQL database) and an AppContext over it. */
export async function testContext(kind: 'sqlite' | 'postgres' = 'sqlite'): Promise<{ ctx: AppContext; store: OpenDatabase; dir: string; drop: () => Promise<void> }> {
  const db = await freshDatabase(kind);
  const store = await openStore(db.location);
  const dir = tempDir('agentpr-bot-');
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env: {},
    ...createAppPorts({}),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(dir),
  };
  return { ctx, store, dir, drop: () => db.drop() };
}

/** Creates a run (QUEUED) and optionally walks it through events. */
export async function makeRun(ctx: AppContext, runId: string, events: RunEvent[] = [], repo = 'widgets'): Promise<void> {
  await createRun(ctx.db, { runId, owner: 'octo-org', repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(ctx.paths.workspaceRoot, runId) });
  for (const event of events) await applyEvent(ctx.db, runId, { event });
}

/** Events that bring a new run to IMPLEMENTING. */
export const TO_IMPLEMENTING: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/tmp/contract.md' },
  { type: 'command.start.implementation' },
];

/** Events that bring a new run to PUSHED. */
export const TO_PUSHED: RunEvent[] = [
  ...TO_IMPLEMENTING,
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/feature', head_sha: 'a'.repeat(40) },
];

/** The event types of a run, oldest first. */
export async function eventTypes(ctx: AppContext, runId: string): Promise<string[]> {
  return (await listEvents(ctx.db, runId, { limit: 500 })).map((e) => e.event_type).reverse();
}

/** The parsed audit lines. */
export function auditLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls until `check` returns a truthy value. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 8000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** A running bot and how to stop it. */
export interface RunningBot {
  audit: TelegramAuditLog;
  auditFile: string;
  done: Promise<TelegramBotSummary>;
  stop(): Promise<TelegramBotSummary>;
  /** Resolves once `count` more notification scans have completed (a scan that started after the call among them when count ≥ 2). */
  notifyScans(count: number): Promise<void>;
}

/** Starts `runTelegramBot` with fast test timings; stop it in `afterEach`. */
export function startBot(
  ctx: AppContext,
  input: {
    apiUrl: string;
    chat?: ChatClient;
    acl?: ChatAclOptions;
    auditFile?: string;
    options?: Partial<TelegramBotOptions>;
    /** Builds the manager LLM over the bot's audit log and stop signal. */
    assistant?: (audit: TelegramAuditLog, signal: AbortSignal) => BotAssistant;
  },
): RunningBot {
  const auditFile = input.auditFile ?? join(ctx.paths.dataDir, 'reports', 'telegram_audit.jsonl');
  const audit = new TelegramAuditLog({ file: auditFile, maxBytes: 10_000_000, keepFiles: 2, clock: ctx.clock, secrets: input.options?.secrets ?? [TOKEN] });
  const controller = new AbortController();
  const chat = input.chat ?? createTelegramChatClient({ token: TOKEN, apiUrl: input.apiUrl });
  let scans = 0;
  const done = runTelegramBot(
    ctx,
    {
      botId: BOT_ID,
      acl: createChatAcl(input.acl ?? { allowChatIds: [ADMIN, WRITER, READER], writeChatIds: [WRITER], adminChatIds: [ADMIN] }),
      settings: { pollTimeoutSec: 1, idleSleepSec: 1, listLimit: 20, rateLimitWindowSec: 60, rateLimitPerChat: 50, rateLimitGlobal: 500 },
      audit,
      signal: controller.signal,
      idleSleepMs: 20,
      notifyIntervalMs: 50,
      secrets: [TOKEN],
      assistant: input.assistant?.(audit, controller.signal),
      ...input.options,
      onNotifyScan: (result) => {
        scans++;
        input.options?.onNotifyScan?.(result);
      },
    },
    chat,
  );
  done.catch(() => {});
  return {
    audit,
    auditFile,
    done,
    stop: async () => {
      controller.abort();
      return done;
    },
    notifyScans: async (count) => {
      const target = scans + count;
      await waitFor(() => scans >= target, `${count} notification scan(s)`);
    },
  };
}

/** Waits until a started bot's notifier has set its cursors, so later state changes are announced. */
export async function notifierReady(ctx: AppContext): Promise<void> {
  await waitFor(async () => (await getBotState(ctx.db, botStateKeys.prRequestCursor(BOT_ID))) !== undefined, 'the notifier cursors');
}
