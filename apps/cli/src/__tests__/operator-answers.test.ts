import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEvent, listAuditRecords, listEvents, openStore } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';

// Issue 15, "answers a person can read": list-runs filters, resume back to NEEDS_HUMAN_REVIEW, mark-done asking for
// --force — through the built binary, on every dialect under test.

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
afterAll(() => cleanupTempDirs());

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function cliFor(db: TestDatabase) {
  const home = tempDir('agentpr-answers-');
  return async (args: string[]): Promise<Ran> => {
    const r = await execa(process.execPath, [BIN, ...db.cliArgs, '--data-dir', home, '--json', ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
    return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json: parse(r.stdout) };
  };
}

async function withStore<T>(db: TestDatabase, fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(db.location);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function campaignDir(name: string): string {
  const dir = join(tempDir('agentpr-campaign-'), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'campaign.json'), JSON.stringify({ name }));
  return dir;
}

describe.each(dialectsUnderTest())('operator answers on %s (issue 15)', (kind) => {
  it('list-runs --state/--repo/--campaign narrow the list, combined; an unknown state or a bad repo is a usage error', async () => {
    const db = await freshDatabase(kind);
    try {
      const cli = cliFor(db);
      const spring = campaignDir('spring');
      expect((await cli(['--campaign-dir', spring, 'create-run', '--owner', 'Octo', '--repo', 'Widgets', '--prompt-version', 'v1', '--run-id', 'run_a'])).code).toBe(0);
      expect((await cli(['--campaign-dir', spring, 'create-run', '--owner', 'other', '--repo', 'thing', '--prompt-version', 'v1', '--run-id', 'run_b'])).code).toBe(0);
      expect((await cli(['create-run', '--owner', 'octo', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_c'])).code).toBe(0);
      expect((await cli(['start-discovery', '--run-id', 'run_b'])).json).toMatchObject({ state: 'DISCOVERY' });
      const ids = async (args: string[]) => {
        const r = await cli(['list-runs', ...args]);
        expect(r.code, r.stderr).toBe(0);
        return (r.json.runs as Array<{ run_id: string }>).map((x) => x.run_id);
      };
      expect(await ids([])).toEqual(['run_b', 'run_c', 'run_a']);
      expect(await ids(['--state', 'QUEUED'])).toEqual(['run_c', 'run_a']);
      expect(await ids(['--state', 'discovery', '--state', 'QUEUED,PAUSED'])).toEqual(['run_b', 'run_c', 'run_a']);
      expect(await ids(['--repo', 'OCTO/widgets'])).toEqual(['run_c', 'run_a']);
      expect(await ids(['--campaign', 'spring'])).toEqual(['run_b', 'run_a']);
      expect(await ids(['--campaign', 'example', '--repo', 'octo/widgets', '--state', 'QUEUED'])).toEqual(['run_c']);
      expect(await ids(['--campaign', 'spring', '--state', 'DONE'])).toEqual([]);
      // --campaign on create-run names the campaign itself (a known one: autumn is in the policy's campaigns section,
      // issue 17); a blank one is refused and creates nothing.
      const policy = join(tempDir('agentpr-policy-'), 'policy.json');
      writeFileSync(policy, JSON.stringify({ campaigns: { autumn: {} } }));
      expect((await cli(['--policy-file', policy, 'create-run', '--owner', 'octo', '--repo', 'gadgets', '--prompt-version', 'v1', '--run-id', 'run_d', '--campaign', 'autumn'])).code).toBe(0);
      expect(await ids(['--campaign', 'autumn'])).toEqual(['run_d']);
      const blank = await cli(['create-run', '--owner', 'octo', '--repo', 'gizmos', '--prompt-version', 'v1', '--run-id', 'run_e', '--campaign', ' ']);
      expect(blank.code).toBe(2);
      expect(blank.json.error).toMatch(/campaign: must not be blank/);
      expect(await ids(['--repo', 'octo/gizmos'])).toEqual([]);
      const listed = await cli(['list-runs', '--campaign', 'spring', '--limit', '1']);
      expect(listed.json.runs[0]).toMatchObject({ run_id: 'run_b', campaign: 'spring', current_state: 'DISCOVERY' });

      const bogus = await cli(['list-runs', '--state', 'QUEUED,BOGUS']);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr.trim().split('\n')).toHaveLength(1);
      expect(bogus.json.error).toMatch(/^--state "BOGUS" is not a state; use one of QUEUED, DISCOVERY, .*NEEDS_HUMAN_REVIEW, FAILED_RETRYABLE, FAILED_TERMINAL$/);
      const badRepo = await cli(['list-runs', '--repo', 'widgets']);
      expect(badRepo.code).toBe(2);
      expect(badRepo.json.error).toMatch(/--repo must be OWNER\/REPO/);
      const help = await cli(['list-runs', '--help']);
      expect(help.stdout).toMatch(/--state STATE\s+only runs in this state/);
      expect(help.stdout).toMatch(/--repo OWNER\/REPO/);
      expect(help.stdout).toMatch(/--campaign NAME/);
    } finally {
      await db.drop();
    }
  });

  it('pause then resume takes a run in NEEDS_HUMAN_REVIEW back to NEEDS_HUMAN_REVIEW (not to the stage before it)', async () => {
    const db = await freshDatabase(kind);
    try {
      const cli = cliFor(db);
      await cli(['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_h']);
      for (const step of [['start-discovery'], ['mark-plan-ready', '--contract-path', '/tmp/c.md'], ['start-implementation']]) {
        expect((await cli([...step, '--run-id', 'run_h'])).code).toBe(0);
      }
      await withStore(db, (store) => applyEvent(store.db, 'run_h', { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'tests_failed', error_message: '2 failing', actor: 'worker' } }));
      expect((await cli(['retry', '--run-id', 'run_h', '--target-state', 'NEEDS_HUMAN_REVIEW'])).json).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW' });
      expect((await cli(['pause', '--run-id', 'run_h'])).json).toMatchObject({ state: 'PAUSED' });
      expect((await cli(['show-run', '--run-id', 'run_h'])).json).toMatchObject({ state: 'PAUSED', paused_from: 'NEEDS_HUMAN_REVIEW', last_active_state: 'IMPLEMENTING' });
      const resumed = await cli(['resume', '--run-id', 'run_h']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.json).toMatchObject({ event_type: 'command.resume', state: 'NEEDS_HUMAN_REVIEW' });
      expect((await cli(['show-run', '--run-id', 'run_h'])).json).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', last_error: 'agent:tests_failed:2 failing' });
      // The escalation still limits a retry to the stage it left.
      expect((await cli(['retry', '--run-id', 'run_h', '--target-state', 'IMPLEMENTING'])).json).toMatchObject({ state: 'IMPLEMENTING' });
    } finally {
      await db.drop();
    }
  });

  it('mark-done without a merged PR refuses with one line naming --force and changes nothing; --force does it, recorded as forced', async () => {
    const db = await freshDatabase(kind);
    try {
      const cli = cliFor(db);
      await cli(['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_d']);
      for (const step of [['start-discovery'], ['mark-plan-ready', '--contract-path', '/tmp/c.md'], ['start-implementation'], ['mark-local-validated']]) {
        expect((await cli([...step, '--run-id', 'run_d'])).code).toBe(0);
      }
      await withStore(db, (store) => applyEvent(store.db, 'run_d', { event: { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'abc', actor: 'worker' } }));

      const refused = await cli(['mark-done', '--run-id', 'run_d']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe('agentpr: run run_d has no merged PR: no PR is linked to it. Pass --force to mark it DONE anyway.');
      expect(refused.json).toMatchObject({ ok: false, code: 'refused' });
      expect((await cli(['link-pr', '--run-id', 'run_d', '--pr-number', '12'])).json).toMatchObject({ state: 'CI_WAIT' });
      expect((await cli(['record-check', '--run-id', 'run_d', '--conclusion', 'success', '--head-sha', 'abc'])).json).toMatchObject({ state: 'REVIEW_WAIT' });
      const open = await cli(['mark-done', '--run-id', 'run_d']);
      expect(open.code).toBe(1);
      expect(open.json.error).toBe('run run_d has no merged PR: PR #12 is not merged as far as agentpr knows (agentpr sync-github --run-id run_d asks GitHub). Pass --force to mark it DONE anyway.');
      expect((await cli(['show-run', '--run-id', 'run_d'])).json).toMatchObject({ state: 'REVIEW_WAIT' });

      const forced = await cli(['mark-done', '--run-id', 'run_d', '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.json).toMatchObject({ event_type: 'command.mark.done', state: 'DONE', duplicate: false });
      await withStore(db, async (store) => {
        const [event] = await listEvents(store.db, 'run_d', { limit: 1 });
        expect(event).toMatchObject({ event_type: 'command.mark.done', actor: 'operator', payload: { forced: true, why: 'PR #12 is not merged as far as agentpr knows' } });
        const [audit] = await listAuditRecords(store.db, { limit: 1, runId: 'run_d' });
        expect(audit).toMatchObject({ kind: 'mark_done_forced', actor: 'operator' });
      });
      const help = await cli(['mark-done', '--help']);
      expect(help.stdout).toMatch(/--force\s+mark it DONE although agentpr knows no merged PR/);
    } finally {
      await db.drop();
    }
  });
});
