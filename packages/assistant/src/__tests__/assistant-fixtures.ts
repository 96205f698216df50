import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as v from 'valibot';
import { AgentprError, applyCommand, redactorFor, type AppContext } from '@agentpr/orchestrator';
import { createRun, getRun, listRuns, type OpenDatabase } from '@agentpr/store';
import { startLlmStub, type RunningLlmStub, type StartLlmStubOptions } from '@agentpr/llm-stub';
import type { AssistantAuditRecord, AssistantLimits, Requester } from '../ask-types.js';
import { createAssistant, type Assistant } from '../create-assistant.js';
import { openAssistantAuditFile, type AssistantAuditFile } from '../audit-file.js';
import { resolveLlmConfig, type LlmConfig } from '../llm-config.js';
import type { AssistantTool, ToolRuntime } from '../tool.js';
import { toolApp, type TestClock } from '../tools/__tests__/tool-fixtures.js';

/** Secrets planted in the environment: none of them may reach the audit, the store or the model. */
export const LLM_KEY = 'sk-llm-test-key-7f3a9c1e5b2d';
export const GITHUB_TOKEN = 'ghp_testtoken0123456789abcdefABCDEF0123';

const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, AGENTPR_LLM_API_KEY: LLM_KEY, GITHUB_TOKEN };

export type { TestClock };

/** An AppContext over a fresh data directory and database, with the real ports and no GitHub client. */
export interface AssistantApp {
  ctx: AppContext;
  clock: TestClock;
  store: OpenDatabase;
  /** Names of the write tools that actually ran, in order. */
  ran: string[];
  auditFile: string;
  close(): Promise<void>;
}

export async function assistantApp(location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string }): Promise<AssistantApp> {
  const app = await toolApp(location, 'bot', ENV);
  return { ...app, ran: [], auditFile: join(app.ctx.paths.dataDir, 'reports', 'assistant_audit.jsonl') };
}

/** Creates a run in QUEUED. */
export async function seedRun(ctx: AppContext, runId: string, owner: string, repo: string): Promise<void> {
  await createRun(ctx.db, { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}` }, ctx.clock);
}

/** The run's current state. */
export async function stateOf(ctx: AppContext, runId: string): Promise<string | undefined> {
  return (await getRun(ctx.db, runId))?.state.current_state;
}

const runId = v.pipe(v.string(), v.regex(/^run_[a-z0-9]{1,32}$/, 'must be a run id like run_45f3cbdcdc56'));

async function describeRun(ctx: AppContext, id: string, verb: string): Promise<string> {
  const found = await getRun(ctx.db, id);
  if (!found) throw new AgentprError('not_found', `run ${id} not found`);
  return `${verb} ${id} (${found.run.owner}/${found.run.repo})`;
}

/**
 * A tiny catalogue over the real store: `list_runs` and `pending_prs` (read; the PR titles come from `titles`, where
 * a test plants an injection), `pause_run` and `resume_run` (write, through the real command use case).
 */
export function fakeTools(app: AssistantApp, titles: Record<string, string> = {}): AssistantTool[] {
  const listRunsTool: AssistantTool = {
    name: 'list_runs',
    description: 'List runs, newest first.',
    tier: 'read',
    effect: 'read',
    args: v.strictObject({ limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))), state: v.optional(v.string()) }),
    async run(ctx, args: { limit?: number | undefined }) {
      const runs = await listRuns(ctx.db, { limit: args.limit ?? 20 });
      return { data: { runs: runs.map((r) => ({ run_id: r.run_id, repo: `${r.owner}/${r.repo}`, state: r.current_state })) }, summary: `${runs.length} runs` };
    },
  };
  const pendingPrsTool: AssistantTool = {
    name: 'pending_prs',
    description: 'Runs waiting for a PR approval, with their PR titles.',
    tier: 'read',
    effect: 'read',
    args: v.strictObject({ limit: v.optional(v.number()) }),
    async run(ctx) {
      const runs = await listRuns(ctx.db, { limit: 20 });
      return { data: { pending: runs.map((r) => ({ run_id: r.run_id, repo: `${r.owner}/${r.repo}`, pr_title: titles[r.run_id] ?? 'Fix typo' })) }, summary: `${runs.length} pending` };
    },
  };
  const command = (name: 'pause_run' | 'resume_run', verb: 'pause' | 'resume'): AssistantTool => ({
    name,
    description: `${verb} a run; a person confirms it first.`,
    tier: 'write',
    effect: 'write',
    args: v.strictObject({ run_id: runId }),
    describe: (ctx, args) => describeRun(ctx, (args as { run_id: string }).run_id, verb),
    async run(ctx, args: { run_id: string }) {
      app.ran.push(`${name} ${args.run_id}`);
      if (verb === 'pause' && (await stateOf(ctx, args.run_id)) === 'PAUSED') throw new AgentprError('refused', `run ${args.run_id} is already PAUSED`);
      const applied = await applyCommand(ctx, args.run_id, { command: verb });
      if (applied.kind !== 'applied') throw new AgentprError('refused', `${verb} changed nothing for ${args.run_id} (${applied.kind})`);
      return { data: { run_id: args.run_id, state: applied.result.state }, summary: `${args.run_id}: ${applied.result.state}` };
    },
  });
  return [listRunsTool, pendingPrsTool, command('pause_run', 'pause'), command('resume_run', 'resume')];
}

/** Limits for tests: the defaults unless overridden. */
export function limits(overrides: Partial<AssistantLimits> = {}): AssistantLimits {
  return { maxToolCalls: 8, maxTokensPerRequest: 40_000, dailyTokensPerChat: 400_000, maxOutputTokens: 1_000, confirmTtlSec: 300, ...overrides };
}

/** The configuration `resolveLlmConfig` gives for `baseUrl` (offline: only loopback), with `limits` over it. */
export function llmConfig(baseUrl: string, overrides: Partial<AssistantLimits> = {}): LlmConfig {
  const resolved = resolveLlmConfig({ flags: { baseUrl, model: 'stub-manager' }, env: ENV, policy: { request_timeout_sec: 10 }, offline: true });
  if (resolved.kind !== 'configured') throw new Error(resolved.message);
  return { ...resolved.config, limits: limits(overrides) };
}

/** A running stub, the assistant over it (real openai SDK), its audit file and its records. */
export interface Harness {
  stub: RunningLlmStub;
  assistant: Assistant;
  audit: AssistantAuditFile;
  /** The audit file's records, as written. */
  records(): Promise<Array<AssistantAuditRecord & { ts: string }>>;
  close(): Promise<void>;
}

export async function harness(
  app: AssistantApp,
  stubOptions: StartLlmStubOptions,
  options: { limits?: Partial<AssistantLimits>; tools?: AssistantTool[]; runtime?: Partial<ToolRuntime>; baseUrl?: string } = {},
): Promise<Harness> {
  const stub = await startLlmStub({ apiKey: LLM_KEY, ...stubOptions });
  const audit = openAssistantAuditFile(app.auditFile, { redactor: redactorFor(app.ctx), clock: app.ctx.clock });
  const config = llmConfig(options.baseUrl ?? stub.url, options.limits);
  const assistant = createAssistant(app.ctx, {
    config,
    audit,
    runtime: { signal: new AbortController().signal, ...options.runtime },
    tools: options.tools ?? fakeTools(app),
  });
  return {
    stub,
    assistant,
    audit,
    // The audit file writes each line before `write` returns.
    records: async () => auditLines(app.auditFile),
    close: async () => {
      await audit.close();
      await stub.close();
    },
  };
}

/** The records of an audit file. */
export function auditLines(file: string): Array<AssistantAuditRecord & { ts: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AssistantAuditRecord & { ts: string });
}

/** Requesters of each tier in one Telegram chat (user 7), and the CLI operator. */
export const TELEGRAM = (tier: Requester['tier'], user = '7'): Requester => ({ channel: 'telegram', chatKey: 'telegram:42', userKey: `telegram:42:${user}`, tier });
export const CLI: Requester = { channel: 'cli', chatKey: 'cli:operator', userKey: 'cli:operator', tier: 'admin' };

/** A loopback port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
