import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { addArtifact, applyEvent, createRun, getRun, latestPrRequest, openStore } from '@agentpr/store';
import { cleanupTempDirs, sendWebhook, tempDir, webhookExample } from '@agentpr/testing';
import { main } from '../main.js';

const GIT_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
const git = async (cwd: string, ...args: string[]) => String((await execa('git', args, { cwd, env: GIT_ENV, extendEnv: false, stdin: 'ignore' })).stdout).trim();

afterAll(() => cleanupTempDirs());

let stub: GitHubStub;
let home: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'cli-token' });
  stub.addRepo('acme', 'widgets');
  home = tempDir('agentpr-cli-gh-');
  env = { ...GIT_ENV, GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: stub.url };
});
afterEach(() => stub.close());

async function cli(args: string[], options: { signal?: AbortSignal; onStdout?: (s: string) => void } = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  const code = await main(['--data-dir', home, '--skip-doctor', '--json', ...args], {
    stdout: sink((s) => {
      stdout += s;
      options.onStdout?.(s);
    }),
    stderr: sink((s) => (stderr += s)),
    env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** A run in PUSHED with its branch on a local bare "fork" and a passing digest of the pushed tree. */
async function pushedRun(): Promise<{ runId: string; workspace: string; sha: string }> {
  const runId = 'run_cli_gh';
  const remote = join(tempDir('agentpr-fork-'), 'fork.git');
  await execa('git', ['init', '-q', '--bare', remote], { env: GIT_ENV, extendEnv: false });
  const workspace = join(home, 'workspaces', 'acme', 'widgets', runId);
  mkdirSync(workspace, { recursive: true });
  await git(workspace, 'init', '-q', '-b', 'main');
  writeFileSync(join(workspace, 'a.txt'), 'a\n');
  await git(workspace, 'add', '.');
  await git(workspace, 'commit', '-q', '-m', 'a');
  await git(workspace, 'remote', 'add', 'origin', remote);
  await git(workspace, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(workspace, 'b.txt'), 'b\n');
  await git(workspace, 'add', '.');
  await git(workspace, 'commit', '-q', '-m', 'b');
  await git(workspace, 'push', '-q', 'origin', 'feature');
  const sha = await git(workspace, 'rev-parse', 'HEAD');
  stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'feature', sha });
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    await createRun(store.db, { runId, owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: workspace });
    await addArtifact(store.db, { runId, type: 'workspace_prepared', uri: workspace, metadata: { base_branch: 'main', fork_owner: 'forker' } });
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: '/c.md' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'feature', head_sha: sha },
    ] as const) {
      await applyEvent(store.db, runId, { event });
    }
    // Digests are read only from the reports directory (a planted one elsewhere is ignored).
    mkdirSync(join(home, 'reports'), { recursive: true });
    const digest = join(home, 'reports', 'digest.json');
    writeFileSync(
      digest,
      JSON.stringify({
        classification: { grade: 'PASS', reason_code: 'runtime_success' },
        validation: { test_command_count: 1, failed_test_command_count: 0 },
        changes: { changed_files_count: 1, added_lines: 1 },
        preflight: { ok: true, skipped: false },
        safety: { violation_count: 0 },
        skills: { mode: 'off', missing_required: [] },
        workspace: { tree_sha: await git(workspace, 'rev-parse', 'HEAD^{tree}') },
        policy_used: { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' },
      }),
    );
    await addArtifact(store.db, { runId, type: 'run_digest', uri: digest });
  } finally {
    await store.close();
  }
  return { runId, workspace, sha };
}

async function stateOf(runId: string) {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    return (await getRun(store.db, runId))!.state.current_state;
  } finally {
    await store.close();
  }
}

describe('PR gate and GitHub commands through the CLI', () => {
  it('request-open-pr then approve-open-pr --confirm opens the PR on GitHub and links the run', async () => {
    const { runId } = await pushedRun();
    const req = await cli(['request-open-pr', '--run-id', runId, '--title', 'Add widgets', '--body', 'Body.', '--draft']);
    expect(req.code).toBe(0);
    expect(req.json).toMatchObject({ ok: true, run_id: runId, preview: { head: 'feature', base: 'main', draft: true }, confirm_token: expect.stringMatching(/^[0-9A-F]{32}$/) });
    const noConfirm = await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token]);
    expect(noConfirm.code).toBe(1);
    expect(noConfirm.json).toMatchObject({ ok: false, error: expect.stringContaining('--confirm') });
    const noToken = await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm']);
    expect(noToken).toMatchObject({ code: 2, json: { ok: false, error: expect.stringContaining('--confirm-token is required') } });
    const approved = await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token, '--confirm']);
    expect(approved.code).toBe(0);
    expect(approved.json).toMatchObject({ ok: true, mode: 'created', pr_number: 1, state: 'CI_WAIT', dod_gate: { ok: true } });
    expect(stub.getPull('acme', 'widgets', 1)).toMatchObject({ head: 'forker:feature', draft: true });
    expect(approved.stdout).not.toContain('cli-token');
  });

  it('request-open-pr renders the PR text from the campaign template and refuses an unfilled body or generic title in one line, writing nothing', async () => {
    const { runId } = await pushedRun();
    const refused = await cli(['request-open-pr', '--run-id', runId, '--title', 'feat: add example integration', '--body', '## Summary\n\n{summary}\n']);
    expect(refused).toMatchObject({ code: 1, json: { ok: false, reason: 'pr_title_generic' } });
    expect(refused.json.error).toMatch(/^request-open-pr refuses this PR text: the PR title "feat: add example integration" is generic: .+; the PR body has unfilled placeholders \{summary\}\. [^\n]+$/);
    const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
    try {
      expect(await latestPrRequest(store.db, runId)).toBeUndefined();
    } finally {
      await store.close();
    }
    const req = await cli(['request-open-pr', '--run-id', runId]);
    expect(req.code, req.stderr).toBe(0);
    expect(req.json).toMatchObject({ preview: { title: 'feat(widgets): add example integration' }, pr_text: { title_from: 'template', body_from: 'campaign_template', repo_template: null } });
    expect(req.json.preview.body).toContain("## Validation\n\nNo test command was recorded in the evidence.\n\nagentpr's verdict on the change: PASS");
    expect(req.json.preview.body).not.toMatch(/(?<!\\)\{[a-z_]+\}/);
  });

  it('approve-open-pr without any GitHub token fails with a hint and changes nothing', async () => {
    const { runId } = await pushedRun();
    const req = await cli(['request-open-pr', '--run-id', runId, '--title', 't', '--body', 'b']);
    // No token in the environment, and a gh (if installed) that is logged in nowhere.
    env = { ...GIT_ENV, GITHUB_API_URL: stub.url, GH_CONFIG_DIR: tempDir('agentpr-gh-config-') };
    const approved = await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token, '--confirm']);
    expect(approved).toMatchObject({ code: 1, json: { ok: false, error: expect.stringMatching(/GITHUB_TOKEN or GH_TOKEN/) } });
    expect(await stateOf(runId)).toBe('PUSHED');
    const retried = await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token, '--confirm']);
    expect(retried.code).toBe(1);
    env.GITHUB_TOKEN = 'cli-token';
    expect((await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token, '--confirm'])).code).toBe(0);
  });

  it('sync-github exits 0 when every run synced and 1 when one failed; --dry-run writes no report', async () => {
    const { runId } = await pushedRun();
    const req = await cli(['request-open-pr', '--run-id', runId, '--title', 't', '--body', 'b']);
    await cli(['approve-open-pr', '--run-id', runId, '--request-file', req.json.request_file, '--confirm-token', req.json.confirm_token, '--confirm']);
    const dry = await cli(['sync-github', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, json: { ok: true, dry_run: true, scanned: 1, report_path: null } });
    stub.failNext({ method: 'GET', path: /\/pulls\/1$/, status: 404 });
    const failed = await cli(['sync-github']);
    expect(failed.code).toBe(1);
    expect(failed.json.failures).toEqual([expect.objectContaining({ run_id: runId, error: expect.stringContaining('404') })]);
    stub.merge('acme', 'widgets', 1);
    expect((await cli(['sync-github'])).code).toBe(0);
    expect(await stateOf(runId)).toBe('DONE');
  });

  it('run-github-webhook refuses to start without a secret, and serves until stopped with one', async () => {
    const refused = await cli(['run-github-webhook', '--port', '0']);
    expect(refused).toMatchObject({ code: 1, json: { ok: false, error: expect.stringContaining('AGENTPR_GITHUB_WEBHOOK_SECRET') } });
    const controller = new AbortController();
    let url = '';
    const listening = new Promise<void>((resolve) => {
      const running = cli(['run-github-webhook', '--port', '0', '--secret', 's3cret'], {
        signal: controller.signal,
        onStdout: (s) => {
          if (!url && s.includes('listening')) {
            url = JSON.parse(s.split('\n')[0]!).listening;
            resolve();
          }
        },
      });
      void running.then((r) => (finished = r));
    });
    let finished: Awaited<ReturnType<typeof cli>> | undefined;
    await listening;
    const r = await sendWebhook(url, { event: 'ping', payload: webhookExample('ping'), secret: 's3cret' });
    expect(r).toMatchObject({ status: 200, body: { ok: true, ignored: 1 } });
    controller.abort('SIGTERM');
    while (!finished) await new Promise((res) => setTimeout(res, 20));
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/"stopped": ?true/);
  });

  it('webhook-audit-summary of a fresh install is ok; thresholds make it exit 1; cleanup-webhook-deliveries reports its count', async () => {
    const fresh = await cli(['webhook-audit-summary']);
    expect(fresh).toMatchObject({ code: 0, json: { ok: true, warnings: [expect.stringContaining('github_webhook_audit.jsonl')] } });
    const file = join(home, 'audit.jsonl');
    const ts = new Date().toISOString();
    writeFileSync(file, `${JSON.stringify({ ts, method: 'POST', status_code: 500, outcome: 'unhandled_error', retryable_failures: 1, error: 'boom' })}\n`);
    const alert = await cli(['webhook-audit-summary', '--audit-log-file', file, '--fail-on-http5xx-rate', '5']);
    expect(alert).toMatchObject({ code: 1, json: { ok: false, alerts: ['http_5xx_rate_exceeded:100>5'] } });
    const bad = await cli(['webhook-audit-summary', '--since-minutes', '0']);
    expect(bad.code).toBe(2);
    expect(await cli(['cleanup-webhook-deliveries', '--keep-days', '7'])).toMatchObject({ code: 0, json: { ok: true, source: 'github', keep_days: 7, deleted: 0 } });
  });
});
