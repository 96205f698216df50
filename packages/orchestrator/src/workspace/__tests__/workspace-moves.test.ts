import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyEvent, getRun, latestArtifact, listAttempts, listEvents, recordAttempt, setWorkspaceHost } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, git, pushCommit } from '@agentpr/testing';
import { workspaceIdentity } from '@agentpr/workspace';
import { runAgentStep } from '../../agent/run-agent-step.js';
import { AgentprError } from '../../errors.js';
import { ensureLocalWorkspace } from '../ensure-local-workspace.js';
import { finishRun } from '../finish-run.js';
import { resetRunWorkspace } from '../reset-workspace.js';
import { STALE_FOLDER } from '../stale-workspace.js';
import { storedRemoteUrl } from '../stored-remote.js';
import { verifyProtectedFiles } from '../workspace-shared.js';
import { testGit } from './harness.js';
import { passingAgent, preparedOn, STEP, TO_LOCAL_VALIDATING, twoHosts, type Host, type TwoHosts } from './two-hosts.js';

const opened: TwoHosts[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
  cleanupTempDirs();
});

async function hostsOn(kind: 'sqlite' | 'postgres' = 'sqlite', script = passingAgent()): Promise<TwoHosts> {
  const hosts = await twoHosts(kind, script);
  opened.push(hosts);
  return hosts;
}

/** The workspace events of a run, oldest first, as `type payload` pairs. */
async function placementEvents(host: Host, runId: string): Promise<Array<{ type: string; payload: Record<string, unknown>; applied: number }>> {
  const events = (await listEvents(host.ctx.db, runId, { limit: 100 })).reverse();
  return events.filter((e) => e.event_type.startsWith('worker.workspace.')).map((e) => ({ type: e.event_type, payload: e.payload, applied: e.applied }));
}

/** Pushes the run from `host` (LOCAL_VALIDATING, a change in its workspace) and returns the pushed head. */
async function pushFrom(host: Host, runId: string, dir: string): Promise<string> {
  writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\n');
  const pushed = await finishRun(host.ctx, { runId, changes: 'Adds two to the app.' });
  if (pushed.kind !== 'pushed') throw new Error(`push failed: ${pushed.kind}`);
  return pushed.headSha;
}

/** The step's verdict, or the refusal's reason. */
function outcome(result: Awaited<ReturnType<typeof runAgentStep>>): string {
  return result.kind === 'converged' ? `${result.verdict} ${result.state}` : `${result.kind} ${result.reason}: ${result.message}`;
}

describe('the workspace follows the run across hosts (issue 20)', () => {
  it('an agent step on host B for a run prepared on host A rebuilds the workspace under B\'s root at the base commit and records the move', async () => {
    const hosts = await hostsOn();
    const { runId, dir: dirA, base, branch } = await preparedOn(hosts, hosts.a, 'run_move', TO_LOCAL_VALIDATING.slice(0, 2));
    expect((await getRun(hosts.a.ctx.db, runId))!.state.workspace_host).toBe('host-a');
    const prepared = await latestArtifact(hosts.a.ctx.db, runId, 'workspace_prepared');
    expect(prepared!.metadata).toMatchObject({ upstream_url: hosts.upstream.url, fork_url: hosts.fork.url, base_sha: base });

    let headDuringAgent = '';
    const b = hosts.host('host-b', passingAgent(async (request) => {
      headDuringAgent = await git(request.paths.repoDir, ['rev-parse', 'HEAD']);
      writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\nfrom b\n');
    }));
    const result = await runAgentStep(b.ctx, { runId, ...STEP });

    expect(outcome(result)).toBe('PASS LOCAL_VALIDATING');
    const dirB = join(b.ctx.paths.workspaceRoot, 'acme', 'widgets', runId);
    expect(b.agent.launches.map((l) => l.paths.repoDir)).toEqual([dirB]);
    expect(headDuringAgent).toBe(base);
    expect(await git(dirB, ['symbolic-ref', '--short', 'HEAD'])).toBe(branch);
    expect([await git(dirB, ['remote', 'get-url', 'upstream']), await git(dirB, ['remote', 'get-url', 'origin'])]).toEqual([hosts.upstream.url, hosts.fork.url]);
    expect(await placementEvents(b, runId)).toEqual([
      { type: 'worker.workspace.rebuilt', payload: { from_host: 'host-a', to_host: 'host-b', point: 'base', sha: base, actor: 'worker' }, applied: 1 },
    ]);
    const [rebuild] = await listAttempts(b.ctx.db, runId, { limit: 1, step: 'workspace_rebuild' });
    expect(rebuild).toMatchObject({ exit_code: 0, stage: 'IMPLEMENTING' });
    expect((await getRun(b.ctx.db, runId))!.state.workspace_host).toBe('host-b');
    // Host A's copy is A's business: B never reaches into another root.
    expect(existsSync(dirA)).toBe(true);
  });

  it('unpushed work on host A (a finished attempt and one that never reported back) is recorded as lost with host A and the attempt numbers', async () => {
    const hosts = await hostsOn();
    const { runId } = await preparedOn(hosts, hosts.a, 'run_lost', TO_LOCAL_VALIDATING.slice(0, 2));
    const a = hosts.withAgent(hosts.a, passingAgent((request) => writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\nonly on a\n')));
    expect(outcome(await runAgentStep(a.ctx, { runId, ...STEP }))).toBe('PASS LOCAL_VALIDATING');
    // Host A starts attempt 2 (its preflight passes) and dies before the agent reports.
    await recordAttempt(a.ctx.db, { runId, step: 'preflight', succeeded: true, stdout: '{}', stderr: '', durationMs: 5, stage: 'LOCAL_VALIDATING' });

    const placement = await ensureLocalWorkspace(hosts.b.ctx, runId);

    expect(placement).toMatchObject({ kind: 'rebuilt', fromHost: 'host-a', toHost: 'host-b', point: 'base', lost: { attemptNos: [1], unfinishedAttemptNo: 2 } });
    const events = await placementEvents(hosts.b, runId);
    expect(events.map((e) => e.type)).toEqual(['worker.workspace.work_lost', 'worker.workspace.rebuilt']);
    expect(events[0]!.payload).toEqual({ host: 'host-a', attempt_nos: [1], unfinished_attempt_no: 2, actor: 'worker' });
    // The validated change is gone, so there is nothing to finish: the run goes back to make it again.
    expect((await getRun(hosts.b.ctx.db, runId))!.state.current_state).toBe('IMPLEMENTING');
    // The lost change is not in B's workspace: B starts from what the run recorded, not from A's disk.
    expect(readFileSync(join(hosts.b.ctx.paths.workspaceRoot, 'acme', 'widgets', runId, 'src', 'app.txt'), 'utf8')).toBe('one\n');
  });

  it('a run validated on host A that died before pushing is not finished empty on host B: it goes back to IMPLEMENTING, and the agent redoes it there', async () => {
    const hosts = await hostsOn();
    const { runId } = await preparedOn(hosts, hosts.a, 'run_unpushed', TO_LOCAL_VALIDATING.slice(0, 2));
    const a = hosts.withAgent(hosts.a, passingAgent((request) => writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\nonly on a\n')));
    expect(outcome(await runAgentStep(a.ctx, { runId, ...STEP }))).toBe('PASS LOCAL_VALIDATING');

    // Host A is gone; host B's manager takes the run in LOCAL_VALIDATING and would finish it.
    const refused = await finishRun(hosts.b.ctx, { runId, changes: 'Adds a line.' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentprError);
    expect((refused as AgentprError).message).toMatch(/its validated change was never pushed and was lost with host host-a; .* went back to IMPLEMENTING .* Nothing was committed or pushed\.$/);
    const run = await getRun(hosts.b.ctx.db, runId);
    expect([run!.state.current_state, run!.state.last_error]).toEqual(['IMPLEMENTING', null]);
    expect(await git(hosts.fork.url, ['branch', '--list'])).toBe('* main');

    const b = hosts.host('host-b', passingAgent((request) => writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\nredone on b\n')));
    expect(outcome(await runAgentStep(b.ctx, { runId, ...STEP }))).toBe('PASS LOCAL_VALIDATING');
    const pushed = await finishRun(b.ctx, { runId, changes: 'Adds a line.' });
    expect(pushed.kind).toBe('pushed');
  });

  it('a single host on SQLite never rebuilds: prepare, agent step, finish and reset all stay on its own workspace', async () => {
    const hosts = await hostsOn();
    const { runId, dir } = await preparedOn(hosts, hosts.a, 'run_home', TO_LOCAL_VALIDATING.slice(0, 2));
    const a = hosts.withAgent(hosts.a, passingAgent((request) => writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\nhome\n')));
    expect(outcome(await runAgentStep(a.ctx, { runId, ...STEP }))).toBe('PASS LOCAL_VALIDATING');
    expect(a.agent.launches.map((l) => l.paths.repoDir)).toEqual([dir]);
    const pushed = await finishRun(a.ctx, { runId, changes: 'Adds home.' });
    expect(pushed.kind).toBe('pushed');
    await applyEvent(a.ctx.db, runId, { event: { type: 'command.pr.linked', pr_number: 3 } });
    expect((await resetRunWorkspace(a.ctx, { runId })).kind).toBe('reset');
    expect(await listAttempts(a.ctx.db, runId, { limit: 10, step: 'workspace_rebuild' })).toEqual([]);
    expect(await placementEvents(a, runId)).toEqual([]);
    expect((await getRun(a.ctx.db, runId))!.state.workspace_host).toBe('host-a');
  });

  it('a run from before hosts were recorded (host null) is claimed where its workspace is, without a rebuild', async () => {
    const hosts = await hostsOn();
    const { runId, dir } = await preparedOn(hosts, hosts.a, 'run_legacy');
    await hosts.a.ctx.db.updateTable('run_states').set({ workspace_host: null, workspace_host_at: null }).where('run_id', '=', runId).execute();
    writeFileSync(join(dir, 'keep.txt'), 'work in progress\n');

    expect(await ensureLocalWorkspace(hosts.a.ctx, runId)).toEqual({ kind: 'claimed', host: 'host-a' });

    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('work in progress\n');
    expect((await getRun(hosts.a.ctx.db, runId))!.state.workspace_host).toBe('host-a');
    expect(await listAttempts(hosts.a.ctx.db, runId, { limit: 10, step: 'workspace_rebuild' })).toEqual([]);
    expect(await ensureLocalWorkspace(hosts.a.ctx, runId)).toEqual({ kind: 'local', host: 'host-a' });
  });

  it('host A taking the run back moves its stale copy aside without running git in it (a planted hook never runs) and rebuilds', async () => {
    const hosts = await hostsOn();
    const { runId, dir } = await preparedOn(hosts, hosts.a, 'run_back', TO_LOCAL_VALIDATING.slice(0, 2));
    await ensureLocalWorkspace(hosts.b.ctx, runId);
    const marker = join(hosts.a.ctx.paths.dataDir, 'hook-ran');
    writeFileSync(join(dir, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    writeFileSync(join(dir, '.git', 'hooks', 'reference-transaction'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });

    const placement = await ensureLocalWorkspace(hosts.a.ctx, runId);

    expect(placement).toMatchObject({ kind: 'rebuilt', fromHost: 'host-b', toHost: 'host-a', point: 'base' });
    const stale = placement.kind === 'rebuilt' ? placement.staleCopy : null;
    expect(stale).toContain(join(hosts.a.ctx.paths.workspaceRoot, STALE_FOLDER, 'acme', 'widgets', `${runId}-`));
    expect(existsSync(join(stale!, '.git', 'hooks', 'post-checkout'))).toBe(true);
    expect(existsSync(join(dir, '.git', 'hooks', 'post-checkout'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    const check = await verifyProtectedFiles(hosts.a.ctx.db, runId, dir, { allowWorkflowChanges: false });
    expect(check.ok).toBe(true);
  });

  for (const kind of dialectsUnderTest()) {
    describe(`on ${kind}`, () => {
      it('a run that pushed on host A and moved to ITERATING continues on host B from exactly the pushed head, and B pushes on top of it', async () => {
        const hosts = await hostsOn(kind);
        const { runId, dir: dirA, branch } = await preparedOn(hosts, hosts.a, 'run_pushed', TO_LOCAL_VALIDATING);
        const pushed = await pushFrom(hosts.a, runId, dirA);
        await applyEvent(hosts.a.ctx.db, runId, { event: { type: 'command.pr.linked', pr_number: 7 } });
        await applyEvent(hosts.a.ctx.db, runId, { event: { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: pushed } });
        expect((await getRun(hosts.a.ctx.db, runId))!.state.current_state).toBe('ITERATING');

        let seen = { head: '', tree: '', protectedOk: false };
        const b = hosts.host('host-b', passingAgent(async (request) => {
          const identity = await workspaceIdentity(testGit, request.paths.repoDir, []);
          const check = await verifyProtectedFiles(hosts.a.ctx.db, runId, request.paths.repoDir, { allowWorkflowChanges: false });
          seen = { head: identity.head_sha, tree: identity.tree_sha, protectedOk: check.ok };
          writeFileSync(join(request.paths.repoDir, 'src', 'app.txt'), 'one\ntwo\nthree\n');
        }));
        expect(outcome(await runAgentStep(b.ctx, { runId, ...STEP }))).toBe('PASS LOCAL_VALIDATING');

        expect(seen).toEqual({ head: pushed, tree: await git(hosts.fork.url, ['rev-parse', `${pushed}^{tree}`]), protectedOk: true });
        expect(await placementEvents(b, runId)).toEqual([
          { type: 'worker.workspace.rebuilt', payload: { from_host: 'host-a', to_host: 'host-b', point: 'pushed_head', sha: pushed, actor: 'worker' }, applied: 1 },
        ]);
        const again = await finishRun(b.ctx, { runId, changes: 'Adds three.' });
        expect(again).toMatchObject({ kind: 'pushed', state: 'CI_WAIT' });
        if (again.kind !== 'pushed') return;
        expect(await git(hosts.fork.url, ['rev-parse', `refs/heads/${branch}^`])).toBe(pushed);
        expect(await git(hosts.fork.url, ['rev-parse', `refs/heads/${branch}`])).toBe(again.headSha);
      });

      it('a fork branch that is not at the pushed head the run recorded is refused with one line; nothing is left and the host stays A', async () => {
        const hosts = await hostsOn(kind);
        const { runId, dir: dirA, branch } = await preparedOn(hosts, hosts.a, 'run_moved', TO_LOCAL_VALIDATING);
        const pushed = await pushFrom(hosts.a, runId, dirA);
        const other = await pushCommit(hosts.fork.url, { branch, from: branch, files: { 'src/app.txt': 'someone else\n' } });

        const error = await resetRunWorkspace(hosts.b.ctx, { runId }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(AgentprError);
        expect((error as AgentprError).code).toBe('refused');
        expect((error as Error).message).toBe(
          `run ${runId}: cannot rebuild its workspace on host host-b: branch ${branch} on the fork is at ${other}, not the head ${pushed} the run pushed; refused (someone moved it). Restore it to ${pushed.slice(0, 12)} or create the run again.`,
        );
        expect(existsSync(join(hosts.b.ctx.paths.workspaceRoot, 'acme', 'widgets'))).toBe(false);
        const [attempt] = await listAttempts(hosts.b.ctx.db, runId, { limit: 1, step: 'workspace_rebuild' });
        expect(attempt).toMatchObject({ exit_code: 1, stage: 'PUSHED' });
        expect(await placementEvents(hosts.b, runId)).toEqual([]);
        expect((await getRun(hosts.b.ctx.db, runId))!.state.workspace_host).toBe('host-a');
      });
    });
  }
});

describe('what a rebuild may store (issue 20)', () => {
  it('storedRemoteUrl drops user-info that may be a credential and keeps ssh users and paths', () => {
    expect(storedRemoteUrl('https://x-access-token:ghs_abcdef123456@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(storedRemoteUrl(' https://ghp_abcdef123456@github.com/o/r.git ')).toBe('https://github.com/o/r.git');
    expect(storedRemoteUrl('ssh://git@github.com/o/r.git')).toBe('ssh://git@github.com/o/r.git');
    expect(storedRemoteUrl('ssh://git:hunter22@github.com/o/r.git')).toBe('ssh://github.com/o/r.git');
    expect(storedRemoteUrl('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(storedRemoteUrl('/srv/git/o/r.git')).toBe('/srv/git/o/r.git');
  });

  it('a stale folder under the root is never mistaken for a run: no owner starts with a dot', async () => {
    const hosts = await hostsOn();
    const { runId } = await preparedOn(hosts, hosts.a, 'run_x');
    await setWorkspaceHost(hosts.a.ctx.db, runId, 'host-b');
    await ensureLocalWorkspace(hosts.a.ctx, runId);
    expect(readdirSync(hosts.a.ctx.paths.workspaceRoot).sort()).toEqual([STALE_FOLDER, 'acme']);
  });
});
