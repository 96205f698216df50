import { join } from 'node:path';
import { createAppPorts, dataDirPaths, type AppContext, type Logger } from '@agentpr/orchestrator';
import type { RunEvent } from '@agentpr/state-machine';
import { applyEvent, createRun, openStore, type OpenDatabase } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';

/** The webhook tests' app: a store, a context on it with a clock tests move by hand, and a logger that keeps lines. */

/** A clock tests move by hand. */
export interface TestClock {
  (): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

function testClock(start = '2026-11-23T10:00:00.000Z'): TestClock {
  let now = Date.parse(start);
  const clock = (() => new Date(now)) as TestClock;
  clock.set = (iso) => {
    now = Date.parse(iso);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

type MemoryLogger = Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> };

function memoryLogger(): MemoryLogger {
  const lines: MemoryLogger['lines'] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

const ENV = { PATH: process.env.PATH, HOME: '/nonexistent' };

export interface TestApp {
  store: OpenDatabase;
  ctx: AppContext;
  clock: TestClock;
  log: MemoryLogger;
  close(): Promise<void>;
}

export async function testApp(location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string }, actor: AppContext['actor'] = 'webhook'): Promise<TestApp> {
  const store = await openStore(location);
  const dataDir = tempDir('agentpr-data-');
  const clock = testClock();
  const log = memoryLogger();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock,
    paths: dataDirPaths(dataDir, { campaignDir: join(dataDir, 'campaign'), skillsDir: join(dataDir, 'skills') }),
    env: ENV,
    ...createAppPorts(ENV, { clock }),
    log,
    actor,
  };
  return { store, ctx, clock, log, close: () => store.close() };
}

/** A run in CI_WAIT on PR `prNumber` whose pushed head is `sha`. */
export async function runInCiWait(
  ctx: AppContext,
  options: { runId: string; owner: string; repo: string; prNumber: number; sha: string; branch?: string },
): Promise<void> {
  await createRun(ctx.db, { runId: options.runId, owner: options.owner, repo: options.repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${options.runId}` }, ctx.clock);
  const events: RunEvent[] = [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: options.branch ?? 'changes', head_sha: options.sha },
    { type: 'command.pr.linked', pr_number: options.prNumber },
  ];
  for (const event of events) await applyEvent(ctx.db, options.runId, { event }, ctx.clock);
}
