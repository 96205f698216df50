import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { createAppPorts, dataDirPaths, silentLogger, type AppContext } from '@agentpr/orchestrator';
import type { RunEvent } from '@agentpr/state-machine';
import { addArtifact, applyEvent, createRun, openStore, recordAttempt, type OpenDatabase } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';
import type { AssistantTool, ToolOutput, ToolRuntime } from '../../tool.js';

/** A clock the test sets by hand. */
export interface TestClock {
  (): Date;
  advance(ms: number): void;
}

/** A clock at `start` that only moves when told. */
export function testClock(start = '2026-12-01T10:00:00.000Z'): TestClock {
  let now = Date.parse(start);
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** An AppContext over a fresh data directory and database, with the real ports and no GitHub token. */
export interface ToolApp {
  ctx: AppContext;
  clock: TestClock;
  store: OpenDatabase;
  close(): Promise<void>;
}

const ENV = { PATH: process.env.PATH, HOME: process.env.HOME };

/** A fresh data directory and store with the real ports (no GitHub client) and a hand-moved clock; `env` is the app's environment. */
export async function toolApp(
  location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string },
  actor: AppContext['actor'] = 'bot',
  env: Readonly<Record<string, string | undefined>> = ENV,
): Promise<ToolApp> {
  const store = await openStore(location);
  const dataDir = tempDir('agentpr-assistant-');
  const clock = testClock();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock,
    paths: dataDirPaths(dataDir, { campaignDir: join(dataDir, 'campaign'), skillsDir: join(dataDir, 'skills') }),
    env,
    ...createAppPorts(env, { clock, overrides: { github: { client: async () => undefined } } }),
    log: silentLogger,
    actor,
  };
  return { ctx, clock, store, close: () => store.close() };
}

/** The events that walk a new run to each state (from QUEUED). */
export const TO_STATE = {
  QUEUED: [],
  IMPLEMENTING: [{ type: 'command.start.discovery' }, { type: 'worker.discovery.completed', contract_path: '/c.md' }, { type: 'command.start.implementation' }],
  PUSHED: [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'a'.repeat(40) },
  ],
} satisfies Record<string, RunEvent[]>;

/** Creates a run with the store API and applies `events` to it. */
export async function seedRun(ctx: AppContext, runId: string, owner: string, repo: string, events: readonly RunEvent[] = []): Promise<void> {
  await createRun(ctx.db, { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}` }, ctx.clock);
  for (const event of events) await applyEvent(ctx.db, runId, { event }, ctx.clock);
  if (events.some((e) => e.type === 'worker.push.completed')) {
    await addArtifact(ctx.db, { runId, type: 'branch', uri: 'agentpr/x', metadata: { sha: 'a'.repeat(40) } }, ctx.clock);
  }
}

/** Applies one event to a run. */
export async function apply(ctx: AppContext, runId: string, event: RunEvent): Promise<void> {
  await applyEvent(ctx.db, runId, { event }, ctx.clock);
}

/** The verdict a seeded runtime report carries. */
export interface SeedVerdict {
  grade: string;
  reason_code: string;
  lastMessage?: string;
  durationMs?: number;
}

/** Writes an agent runtime report (the fields the reports read) and records it, with its judged attempt. */
export async function addRuntimeReport(ctx: AppContext, runId: string, verdict: SeedVerdict): Promise<void> {
  mkdirSync(ctx.paths.reportsDir, { recursive: true });
  const stamp = Math.random().toString(16).slice(2);
  const lastMessage = join(ctx.paths.reportsDir, `${runId}_last_message_${stamp}.txt`);
  writeFileSync(lastMessage, verdict.lastMessage ?? 'done');
  const report = join(ctx.paths.reportsDir, `${runId}_runtime_${stamp}.json`);
  writeFileSync(
    report,
    JSON.stringify({
      run_id: runId,
      created_at: ctx.clock().toISOString(),
      result: { duration_ms: verdict.durationMs ?? 1000, exit_code: 0 },
      runtime: {
        skills_mode: 'agentpr',
        attempt_no: 1,
        last_message_path: lastMessage,
        skill_plan: { run_state: 'IMPLEMENTING', required_now: ['tdd'], available_optional: [], missing_required: [] },
      },
      classification: {
        grade: verdict.grade,
        reason_code: verdict.reason_code,
        next_action: verdict.grade === 'PASS' ? 'advance' : 'escalate',
        evidence: [{ line: 3, item_id: null, command: 'npm test', exit_code: 1, note: '`npm test` exit 1, never re-run successfully' }],
      },
      signals: { test_commands: ['npm test'], failed_test_commands: verdict.grade === 'PASS' ? [] : ['npm test'] },
    }),
  );
  await addArtifact(ctx.db, { runId, type: 'agent_runtime_report', uri: report, metadata: { grade: verdict.grade } }, ctx.clock);
  await recordAttempt(
    ctx.db,
    { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: verdict.durationMs ?? 1000, grade: verdict.grade, reasonCode: verdict.reason_code, stage: 'IMPLEMENTING' },
    ctx.clock,
  );
}

/** The runtime a tool gets from an app; `tickRun` only when given. */
export function runtime(tickRun?: ToolRuntime['tickRun']): ToolRuntime {
  return { signal: new AbortController().signal, tickRun };
}

/** Validates the model's arguments as the engine does, then runs the tool. */
export async function callTool(tool: AssistantTool, ctx: AppContext, raw: unknown, rt: ToolRuntime = runtime()): Promise<ToolOutput> {
  return tool.run(ctx, v.parse(tool.args, raw), rt);
}

/** Validates the arguments, then asks a write tool what it would do. */
export async function describeTool(tool: AssistantTool, ctx: AppContext, raw: unknown): Promise<string> {
  if (!tool.describe) throw new Error(`${tool.name} has no describe`);
  return tool.describe(ctx, v.parse(tool.args, raw));
}

/** Whether the tool's schema accepts the arguments. */
export function accepts(tool: AssistantTool, raw: unknown): boolean {
  return v.safeParse(tool.args, raw).success;
}

/** The tool of that name in a list. */
export function toolNamed(tools: readonly AssistantTool[], name: string): AssistantTool {
  const found = tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}
