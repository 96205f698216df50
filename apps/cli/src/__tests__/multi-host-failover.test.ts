import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLease, getRun, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, git, testPostgresUrl } from '@agentpr/testing';
import {
  allAwaitApproval,
  countByRun,
  describeRuns,
  eventsOfType,
  overlappingAgentAttempts,
  processesMentioning,
  remotes,
  simulatedHost,
  waitFor,
  type Remotes,
  type SimHost,
} from './multi-host-harness.js';

afterAll(() => cleanupTempDirs());

let store: OpenDatabase;

const LOOP = ['--interval-sec', '1', '--concurrency', '3', '--max-actions-per-run', '10', '--lease-ttl-sec', '3'];

/** Creates the run on `host` and drives it to PUSHED there (prepare, plan, one agent step, finish; no PR request). */
async function pushedOn(host: SimHost, runId: string): Promise<string> {
  expect((await host.run([...host.base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', runId])).code).toBe(0);
  const tick = await host.run([...host.base, 'manager-tick', '--run-id', runId, '--prompt-file', host.promptFile, ...host.remoteFlags, '--max-actions-per-run', '6']);
  expect(tick.code, tick.stdout.slice(-2000) + tick.stderr).toBe(0);
  return (await pushOf(runId, 1)).head_sha;
}

/** A failing CI check on the run's PR: the run goes to ITERATING (another agent round on top of the pushed head). */
async function ciFails(host: SimHost, runId: string): Promise<void> {
  for (const args of [['link-pr', '--run-id', runId, '--pr-number', '7'], ['record-check', '--run-id', runId, '--conclusion', 'failure', '--pr-number', '7']]) {
    const done = await host.run([...host.base, ...args]);
    expect(done.code, done.stderr).toBe(0);
  }
}

/** The `n`-th push of the run (1-based). */
async function pushOf(runId: string, n: number): Promise<{ head_sha: string; branch: string }> {
  const pushes = (await eventsOfType(store.db, 'worker.push.completed')).filter((e) => e.run_id === runId);
  const push = pushes[n - 1];
  if (!push) throw new Error(`${runId} has ${pushes.length} pushes, not ${n}`);
  return { head_sha: String(push.payload.head_sha), branch: String(push.payload.branch) };
}

/** The pushed commit's parent and its scripted-change.js, read from the fork. */
async function pushedCommit(remote: Remotes, sha: string): Promise<{ parent: string; change: string }> {
  return { parent: await git(remote.fork, ['rev-parse', `${sha}^`]), change: await git(remote.fork, ['show', `${sha}:src/scripted-change.js`]) };
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const scriptedChange${i + 1} = ${i + 1};`).join('\n');

describe.skipIf(!testPostgresUrl())('simulated hosts on one PostgreSQL', () => {
  it('host A is SIGKILLed in three agent steps; host B finishes every run from the base or the pushed head, one agent at a time, the lost work recorded', async () => {
    const db = await freshDatabase('postgres');
    store = await openStore(db.location);
    try {
      const remote = await remotes();
      const a = simulatedHost('host-a', db, remote);
      const b = simulatedHost('host-b', db, remote);
      const firstPush = await pushedOn(a, 'run_iter');
      await ciFails(a, 'run_iter');
      for (const runId of ['run_base_1', 'run_base_2']) {
        expect((await a.run([...a.base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', runId])).code).toBe(0);
      }
      const runIds = ['run_base_1', 'run_base_2', 'run_iter'];

      // Host A prepares the new runs and hangs in all three agent steps; it dies there.
      const loopA = a.start([...a.base, 'run-manager-loop', '--prompt-file', a.hangPromptFile, ...a.remoteFlags, ...LOOP]);
      await waitFor('host A in three agent steps', async () => {
        for (const runId of runIds) if (processesMentioning(join(a.workspaceRoot, 'octo', 'sample', runId)).length === 0) return false;
        return true;
      });
      const killedAt = Date.now();
      await loopA.kill();
      // Its agents die with it (bwrap --die-with-parent): nothing of host A works a run any more.
      await waitFor('host A\'s agents to end', async () => processesMentioning(a.workspaceRoot).length === 0, 15_000);
      for (const runId of runIds) expect((await getLease(store.db, runId))?.holder).toMatch(/^host-a:/);

      // Host B, started after, takes the runs once host A's leases expire and finishes each one.
      const loopB = b.start([...b.base, 'run-manager-loop', '--prompt-file', b.promptFile, ...b.remoteFlags, ...LOOP]);
      await waitFor('host B to push every run (and request the PR of the new ones)', async () => {
        const pushes = await countByRun(store.db, 'worker.push.completed');
        return pushes.get('run_iter') === 2 && (await allAwaitApproval(store.db, ['run_base_1', 'run_base_2']));
      }, 120_000, async () => `${await describeRuns(store.db, runIds)}\nhost B: ${loopB.output().stdout.slice(-3000)}${loopB.output().stderr.slice(-2000)}`);
      const stopped = await loopB.stop();
      expect(stopped.code, stopped.stderr.slice(-2000)).toBe(0);
      expect(stopped.stderr + loopA.output().stderr).not.toMatch(/unexpected error|database is locked/);

      // Exactly one push per agent round: once for each new run, twice for the one that iterated (A's, then B's).
      expect(Object.fromEntries(await countByRun(store.db, 'worker.push.completed'))).toEqual({ run_base_1: 1, run_base_2: 1, run_iter: 2 });
      for (const runId of ['run_base_1', 'run_base_2']) {
        expect((await getRun(store.db, runId))?.state.current_state).toBe('PUSHED');
        expect(await store.db.selectFrom('pr_requests').select('id').where('run_id', '=', runId).execute()).toHaveLength(1);
      }
      const base = await git(remote.upstream, ['rev-parse', 'refs/heads/main']);
      const rebuilt = await eventsOfType(store.db, 'worker.workspace.rebuilt');
      expect(rebuilt.map((e) => [e.run_id, e.payload.from_host, e.payload.to_host, e.payload.point, e.payload.sha]).sort()).toEqual([
        ['run_base_1', 'host-a', 'host-b', 'base', base],
        ['run_base_2', 'host-a', 'host-b', 'base', base],
        ['run_iter', 'host-a', 'host-b', 'pushed_head', firstPush],
      ]);
      // What host A was doing when it died is recorded as lost: for run_iter its second attempt (the first was pushed).
      const lost = await eventsOfType(store.db, 'worker.workspace.work_lost');
      expect(lost.map((e) => [e.run_id, e.payload.host, e.payload.attempt_nos, e.payload.unfinished_attempt_no]).sort()).toEqual([
        ['run_base_1', 'host-a', [], 1],
        ['run_base_2', 'host-a', [], 1],
        ['run_iter', 'host-a', [], 2],
      ]);
      // No two agents on one run: the recorded ones follow each other, and host B's began after host A died.
      for (const runId of runIds) {
        expect(await overlappingAgentAttempts(store.db, runId)).toEqual([]);
        const agents = await store.db.selectFrom('step_attempts').select(['created_at', 'duration_ms']).where('run_id', '=', runId).where('step', '=', 'agent').orderBy('id', 'desc').execute();
        expect(Date.parse(agents[0]!.created_at) - Number(agents[0]!.duration_ms)).toBeGreaterThan(killedAt);
        expect((await getRun(store.db, runId))?.state.workspace_host).toBe('host-b');
        expect(existsSync(join(b.workspaceRoot, 'octo', 'sample', runId, '.git'))).toBe(true);
      }
      // The iterated run continued from its pushed head: B's commit sits on A's, with both rounds' changes.
      const second = await pushOf('run_iter', 2);
      expect(await pushedCommit(remote, second.head_sha)).toEqual({ parent: firstPush, change: lines(2) });
      expect((await pushedCommit(remote, (await pushOf('run_base_1', 1)).head_sha)).change).toBe(lines(1));
    } finally {
      await store.close();
      await db.drop();
    }
  }, 300_000);

  it('a run that moves while ITERATING continues from its pushed head, and moves back the same way (no work lost, the stale copy unused)', async () => {
    const db = await freshDatabase('postgres');
    store = await openStore(db.location);
    try {
      const remote = await remotes();
      const a = simulatedHost('host-a', db, remote);
      const b = simulatedHost('host-b', db, remote);
      const tick = (host: SimHost) => host.run([...host.base, 'manager-tick', '--run-id', 'run_move', '--prompt-file', host.promptFile, ...host.remoteFlags, '--max-actions-per-run', '2']);
      const first = await pushedOn(a, 'run_move');
      await ciFails(a, 'run_move');

      expect((await tick(b)).code).toBe(0);
      const second = (await pushOf('run_move', 2)).head_sha;
      expect(await pushedCommit(remote, second)).toEqual({ parent: first, change: lines(2) });
      // Host A's copy stays where it was, one round behind; B worked in its own root.
      expect(readFileSync(join(a.workspaceRoot, 'octo', 'sample', 'run_move', 'src', 'scripted-change.js'), 'utf8')).toBe(`${lines(1)}\n`);

      // CI fails again and host A takes the run back: it rebuilds from B's push, not from its stale copy.
      const again = await a.run([...a.base, 'record-check', '--run-id', 'run_move', '--conclusion', 'failure', '--pr-number', '7', '--head-sha', second]);
      expect(again.code, again.stderr).toBe(0);
      expect((await getRun(store.db, 'run_move'))?.state.current_state).toBe('ITERATING');
      expect((await tick(a)).code).toBe(0);
      const third = (await pushOf('run_move', 3)).head_sha;
      expect(await pushedCommit(remote, third)).toEqual({ parent: second, change: lines(3) });

      const rebuilt = await eventsOfType(store.db, 'worker.workspace.rebuilt');
      expect(rebuilt.map((e) => [e.payload.from_host, e.payload.to_host, e.payload.point, e.payload.sha])).toEqual([
        ['host-a', 'host-b', 'pushed_head', first],
        ['host-b', 'host-a', 'pushed_head', second],
      ]);
      // Every agent round was pushed before the run moved: nothing is lost.
      expect(await eventsOfType(store.db, 'worker.workspace.work_lost')).toEqual([]);
      expect(await overlappingAgentAttempts(store.db, 'run_move')).toEqual([]);
    } finally {
      await store.close();
      await db.drop();
    }
  }, 240_000);
});
