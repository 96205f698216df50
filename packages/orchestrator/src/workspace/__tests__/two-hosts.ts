import { join } from 'node:path';
import { applyEvent, openStore, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { freshDatabase, makeBareFork, makeUpstream, tempDir, testGitEnv, type TestDatabase, type TestRemote } from '@agentpr/testing';
import { createAppPorts } from '../../adapters/app-ports.js';
import { capture, fakeAgentRunner, type FakeAgent, type FakeScript } from '../../agent/__tests__/fake-agent-runner.js';
import type { RunAgentStepInput } from '../../agent/run-agent-step.js';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../prepare-run.js';
import { EXAMPLE_CAMPAIGN, SHIPPED_SKILLS } from './harness.js';

/** One simulated host: its own data dir, workspace root and `AGENTPR_HOST_ID`, on the shared database. */
export interface Host {
  id: string;
  ctx: AppContext;
  agent: FakeAgent;
}

/** Two hosts on one database, a local upstream and its bare fork. */
export interface TwoHosts {
  a: Host;
  b: Host;
  upstream: TestRemote;
  fork: TestRemote;
  /** Another host on the same database (its own data dir and root), e.g. a third one. */
  host(id: string, script?: FakeScript): Host;
  /** The same host (same id, data dir and workspace root) with another agent script. */
  withAgent(host: Host, script: FakeScript): Host;
  close(): Promise<void>;
}

/** The agent attempt of the tests: a captured passing codex stream replayed, with `during` changing the workspace. */
export function passingAgent(during?: FakeScript['during']): FakeScript {
  return { capture: capture('01-pass'), ...(during ? { during } : {}) };
}

/** The agent step's flags over the fake port: no preflight, no sandbox network, no test command required. */
export const STEP: Omit<RunAgentStepInput, 'runId'> = { prompt: 'Change the app as the task says.', skipPreflight: true, network: 'on', minTestCommands: 0 };

/** The run's way to LOCAL_VALIDATING after run-prepare. */
export const TO_LOCAL_VALIDATING: RunEvent[] = [
  { type: 'worker.discovery.completed', contract_path: 'c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
];

/**
 * Two simulated hosts (`host-a`, `host-b`) sharing one fresh database of `kind`: two AppContexts with different data
 * dirs, workspace roots and host ids, real git, a fake agent port each (`script`, default a passing agent).
 */
export async function twoHosts(kind: 'sqlite' | 'postgres', script: FakeScript = passingAgent()): Promise<TwoHosts> {
  const tdb: TestDatabase = await freshDatabase(kind);
  const store: OpenDatabase = await openStore(tdb.location);
  const clock = (): Date => new Date();
  const host = (id: string, hostScript: FakeScript = script, paths?: AppContext['paths']): Host => {
    const env = testGitEnv({ AGENTPR_HOST_ID: id });
    const agent = fakeAgentRunner(hostScript);
    const ctx: AppContext = {
      db: store.db,
      dialect: store.dialect,
      clock,
      env,
      ...createAppPorts(env, { clock, overrides: { agent: agent.runner } }),
      log: silentLogger,
      actor: 'operator',
      paths: paths ?? dataDirPaths(tempDir(`agentpr-${id}-`), { campaignDir: EXAMPLE_CAMPAIGN, skillsDir: SHIPPED_SKILLS }),
    };
    return { id, ctx, agent };
  };
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
  const fork = await makeBareFork(upstream);
  return {
    a: host('host-a'),
    b: host('host-b'),
    upstream,
    fork,
    host: (id, hostScript) => host(id, hostScript),
    withAgent: (same, hostScript) => host(same.id, hostScript, same.ctx.paths),
    async close() {
      await store.close();
      await tdb.drop();
    },
  };
}

/** A run created and prepared on `host`, moved along `events`; returns its id, workspace there and base commit. */
export async function preparedOn(
  hosts: TwoHosts,
  host: Host,
  runId: string,
  events: RunEvent[] = [],
): Promise<{ runId: string; dir: string; base: string; branch: string }> {
  await createRun(host.ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: runId });
  const prepared = await prepareRun(host.ctx, { runId, upstreamUrl: hosts.upstream.url, forkUrl: hosts.fork.url, forkOwner: 'me' });
  if (prepared.kind !== 'prepared') throw new Error(`prepare failed: ${prepared.kind}`);
  for (const event of events) await applyEvent(host.ctx.db, runId, { event });
  return { runId, dir: join(host.ctx.paths.workspaceRoot, 'acme', 'widgets', runId), base: prepared.clone.base_sha, branch: prepared.clone.feature_branch };
}
