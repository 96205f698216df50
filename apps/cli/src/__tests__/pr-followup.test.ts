import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { applyEvent, createRun, getPrActivity, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { main } from '../main.js';

// `agentpr pr-followup` through the CLI's main against the GitHub stand-in: the sweep the manager runs after each
// tick, once, with what it did (or would do) per PR.

const DAY = 86_400_000;
const MARKER = '<!-- agentpr:stale-followup -->';

afterAll(() => cleanupTempDirs());

let stub: GitHubStub;
let home: string;
let env: Record<string, string | undefined>;
let pr: number;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'cli-token' });
  stub.addRepo('acme', 'widgets');
  home = tempDir('agentpr-cli-followup-');
  env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: stub.url };
  pr = stub.addPullRequest('acme', 'widgets', { title: 'Add Renovate', author: 'agentpr-bot', createdAt: new Date(Date.now() - 10 * DAY).toISOString() }).number;
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({ campaign_defaults: { stale_followup: { enabled: true, followup_after_days: 7, close_after_days: 7 } } }));
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    await createRun(store.db, { runId: 'run_f', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_f' });
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: '/c.md' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'feature', head_sha: 'a'.repeat(40) },
      { type: 'command.pr.linked', pr_number: pr },
    ] as const) await applyEvent(store.db, 'run_f', { event: { ...event, actor: 'operator' } });
  } finally {
    await store.close();
  }
});
afterEach(() => stub.close());

async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  const code = await main(['--data-dir', home, '--skip-doctor', ...args], { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: { ...env, ...extraEnv } });
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

async function activity() {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    return await getPrActivity(store.db, 'run_f');
  } finally {
    await store.close();
  }
}

const followups = () => stub.listComments('acme', 'widgets', pr).filter((c) => c.body.includes(MARKER));

describe('agentpr pr-followup', () => {
  it('--dry-run says what it would do and changes nothing; a real run records the PR and posts the one follow-up; a second posts none', async () => {
    const dry = await cli(['--json', 'pr-followup', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.json).toMatchObject({ ok: true, kind: 'swept', dry_run: true, items: [{ run_id: 'run_f', pr_number: pr, outcome: { kind: 'would_backfill' } }], counts: { would_backfill: 1 } });
    expect(await activity()).toBeUndefined();

    const done = await cli(['--json', 'pr-followup']);
    expect(done.code).toBe(0);
    expect(done.json).toMatchObject({ ok: true, kind: 'swept', dry_run: false, counts: { backfilled: 1, followed_up: 1 } });
    expect(done.json.items.map((i: { outcome: { kind: string } }) => i.outcome.kind)).toEqual(['backfilled', 'followed_up']);
    expect(followups()).toHaveLength(1);
    expect(await activity()).toMatchObject({ pr_number: pr, followup_comment_id: String(followups()[0]!.id) });

    const again = await cli(['pr-followup']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, items: [{ run_id: 'run_f', outcome: { kind: 'waiting', next: { step: 'close' } } }] });
    expect(followups()).toHaveLength(1);
  });

  it('without a GitHub token it fails with the hint and changes nothing; a bad flag is a usage error', async () => {
    const noToken = await cli(['--json', 'pr-followup'], { GITHUB_TOKEN: undefined, GH_TOKEN: undefined, PATH: '/nonexistent' });
    expect(noToken.code).toBe(1);
    expect(noToken.json).toMatchObject({ ok: false, error: expect.stringContaining('no GitHub token') });
    const bad = await cli(['--json', 'pr-followup', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({ ok: false, error: '--limit must be at least 1, got 0' });
    expect(await activity()).toBeUndefined();
    expect(stub.listComments('acme', 'widgets', pr)).toEqual([]);
  });
});
