import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, makeBareFork, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
afterAll(() => cleanupTempDirs());

/** The built CLI in JSON mode against one data dir, without blocking this process. */
async function cli(dataDir: string, args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  const r = await execa(process.execPath, [BIN, '--data-dir', dataDir, '--skip-doctor', '--json', ...args], {
    env: testGitEnv(),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 120_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(String(r.stdout));
  } catch {
    json = undefined;
  }
  return { code: r.exitCode ?? 1, json, stderr: String(r.stderr) };
}

async function ok(dataDir: string, args: string[]): Promise<any> {
  const r = await cli(dataDir, args);
  expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
  return r.json;
}

describe('agentpr manager-tick closes the loop at PUSHED (issue 15)', () => {
  it('writes the PR request once, and every wait says what the human is to do with the exact command', async () => {
    const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
    const fork = await makeBareFork(upstream);
    const data = tempDir('agentpr-loop-');
    const id = ['--run-id', 'run_loop'];
    await ok(data, ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', ...id]);
    await ok(data, ['run-prepare', ...id, '--upstream-url', upstream.url, '--fork-url', fork.url, '--fork-owner', 'me']);
    await ok(data, ['mark-plan-ready', ...id, '--contract-path', join(data, 'contract.md')]);
    await ok(data, ['start-implementation', ...id]);
    appendFileSync(join(data, 'workspaces', 'acme', 'widgets', 'run_loop', 'src', 'app.txt'), 'two\n');
    await ok(data, ['mark-local-validated', ...id]);
    await ok(data, ['run-finish', ...id, '--changes', 'Adds two to the app.', '--commit-title', 'feat(widgets): add two to the app']);
    expect((await ok(data, ['inspect-run', ...id])).recommended_actions[0]).toBe('agentpr request-open-pr --run-id run_loop');

    const first = await ok(data, ['manager-tick']);
    const acted = first.results[0].actions;
    expect(acted.map((a: any) => a.action)).toEqual(['request_pr', 'wait_human']);
    const requestFile: string = acted[0].detail.result.request_file;
    expect(acted[0].detail.result).toMatchObject({ kind: 'requested', title: 'feat(widgets): add example integration', base: 'main' });
    expect(acted[1].awaiting).toMatchObject({
      action: 'approve_pr',
      command: `agentpr approve-open-pr --run-id run_loop --request-file ${requestFile} --confirm-token <token> --confirm`,
      alternatives: ['agentpr pending-prs', 'agentpr request-open-pr --run-id run_loop'],
    });
    expect(JSON.stringify(first)).not.toMatch(/confirm_token|\b[0-9A-F]{32}\b/);

    // Later ticks leave the waiting run alone: one request for the head.
    expect((await ok(data, ['manager-tick'])).run_count).toBe(0);
    const byId = await ok(data, ['manager-tick', ...id]);
    expect(byId.results[0].actions).toEqual([expect.objectContaining({ action: 'wait_human', awaiting: expect.objectContaining({ action: 'approve_pr' }) })]);
    expect((await ok(data, ['inspect-run', ...id])).recommended_actions[0]).toBe(`agentpr approve-open-pr --run-id run_loop --request-file ${requestFile} --confirm-token <token> --confirm`);

    await ok(data, ['pause', ...id]);
    const paused = await ok(data, ['manager-tick', ...id]);
    expect(paused.results[0].actions[0]).toMatchObject({ state: 'PAUSED', action: 'wait_human', awaiting: { action: 'resume', command: 'agentpr resume --run-id run_loop' } });
  }, 240_000);
});
