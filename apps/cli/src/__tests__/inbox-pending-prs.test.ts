import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@agentpr/state-machine';
import { addArtifact, applyEvent, createRun, insertPrRequest, openStore } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';

// Issue 15, "approve where the operator is" and "answers a person can read": agentpr pending-prs and agentpr inbox
// through the built binary, over real store rows, on every dialect under test.

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const SHA = 'a'.repeat(40);
afterAll(() => cleanupTempDirs());

const TO_PUSHED: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: SHA },
];

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Seeds the store: what each inbox group and pending-prs status needs, as the commands would have left it. */
async function seed(db: TestDatabase, home: string): Promise<void> {
  const store = await openStore(db.location);
  const now = Date.now();
  try {
    const run = async (runId: string, events: RunEvent[], pushedSha?: string) => {
      await createRun(store.db, { runId, owner: 'octo', repo: runId.slice(4), promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}` });
      for (const event of events) await applyEvent(store.db, runId, { event });
      if (pushedSha) await addArtifact(store.db, { runId, type: 'branch', uri: 'agentpr/x', metadata: { sha: pushedSha } });
    };
    const request = (runId: string, expiresInMin: number) =>
      insertPrRequest(store.db, {
        run_id: runId,
        request_file: join(home, 'reports', `${runId}_pr_open_request.json`),
        title: `feat(${runId.slice(4)}): add the integration`,
        body: 'body',
        base: 'main',
        head: 'agentpr/x',
        head_owner: 'forker',
        head_sha: SHA,
        draft: 0,
        confirm_token_sha256: 'f'.repeat(64),
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + expiresInMin * 60_000).toISOString(),
        consumed_at: null,
      });
    await run('run_open', TO_PUSHED, SHA);
    await request('run_open', 12);
    await run('run_late', TO_PUSHED, SHA);
    await request('run_late', -3);
    await run('run_moved', TO_PUSHED, 'b'.repeat(40));
    await request('run_moved', 20);
    await run('run_stuck', [{ type: 'command.start.discovery' }, { type: 'worker.step.failed', step: 'agent', reason_code: 'tests_failed', error_message: 'tests failed' }]);
    await applyEvent(store.db, 'run_stuck', { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error: 'agent:tests_failed' } });
    mkdirSync(join(home, 'reports'), { recursive: true, mode: 0o700 });
    const digest = join(home, 'reports', 'run_stuck_run_digest.json');
    writeFileSync(digest, JSON.stringify({ validation: { failing_tests: [{ name: 'test_api::test_get', excerpt: 'assert 1 == 2', before_agent: true }] } }));
    await addArtifact(store.db, { runId: 'run_stuck', type: 'run_digest', uri: digest, metadata: { grade: 'HUMAN_REVIEW' } });
    await run('run_rest', [{ type: 'command.start.discovery' }, { type: 'command.pause' }]);
  } finally {
    await store.close();
  }
}

describe.each(dialectsUnderTest())('agentpr pending-prs and agentpr inbox on %s (issue 15)', (kind) => {
  it('pending-prs lists each waiting request with its expiry and whether it is stale or expired; inbox groups what needs a human', async () => {
    const db = await freshDatabase(kind);
    try {
      const home = tempDir('agentpr-inbox-');
      const cli = async (args: string[]) => {
        const r = await execa(process.execPath, [BIN, ...db.cliArgs, '--data-dir', home, '--json', ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
        return { code: r.exitCode ?? -1, stderr: r.stderr, json: parse(r.stdout) };
      };
      expect((await cli(['init-db'])).code).toBe(0);
      await seed(db, home);

      const pending = await cli(['pending-prs']);
      expect(pending.code, pending.stderr).toBe(0);
      const byRun = Object.fromEntries(pending.json.requests.map((r: any) => [r.run_id, r]));
      expect(Object.keys(byRun).sort()).toEqual(['run_late', 'run_moved', 'run_open']);
      expect(byRun.run_open).toMatchObject({ owner: 'octo', repo: 'open', head_sha: SHA, title: 'feat(open): add the integration', status: 'open', stale: false, expired: false });
      expect(byRun.run_open.expires_in).toMatch(/^in 1[12] min( \d+ s)?$/);
      expect(byRun.run_late).toMatchObject({ status: 'expired', expired: true, next_command: 'agentpr request-open-pr --run-id run_late' });
      expect(byRun.run_late.expires_in).toMatch(/^3 min( \d+ s)? ago$/);
      expect(byRun.run_moved).toMatchObject({ status: 'stale', stale: true, next_command: 'agentpr request-open-pr --run-id run_moved' });

      const inbox = await cli(['inbox', '--skip-github']);
      expect(inbox.code, inbox.stderr).toBe(0);
      expect(inbox.json.total).toBe(5);
      expect(inbox.json.groups.map((g: any) => [g.reason, g.items.map((i: any) => i.run_id).sort()])).toEqual([
        ['pr_approval', ['run_open']],
        ['pr_request_needed', ['run_late', 'run_moved']],
        ['escalation', ['run_stuck']],
        ['paused', ['run_rest']],
      ]);
      const items = inbox.json.groups.flatMap((g: any) => g.items);
      expect(items.find((i: any) => i.run_id === 'run_open').next_command).toMatch(/^agentpr approve-open-pr --run-id run_open --request-file .*run_open_pr_open_request\.json --confirm-token TOKEN --confirm/);
      expect(items.find((i: any) => i.run_id === 'run_stuck')).toMatchObject({
        state: 'NEEDS_HUMAN_REVIEW',
        last_error: 'agent:tests_failed',
        failing_tests: [{ name: 'test_api::test_get', excerpt: 'assert 1 == 2', before_agent: true }],
      });
      expect(items.find((i: any) => i.run_id === 'run_rest')).toMatchObject({ paused_from: 'DISCOVERY', next_command: 'agentpr resume --run-id run_rest' });

      const bad = await cli(['pending-prs', '--limit', 'many']);
      expect(bad.code).toBe(2);
    } finally {
      await db.drop();
    }
  });
});
