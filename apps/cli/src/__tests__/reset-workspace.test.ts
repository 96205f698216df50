import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEvent, openStore } from '@agentpr/store';
import { cleanupTempDirs, git, makeBareFork, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';

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

/** The built agentpr, spawned (no TTY: JSON output; execa drops the final newline), with git's test identity and no global git config. */
async function cli(data: string, args: string[]): Promise<Ran> {
  const r = await execa(process.execPath, [BIN, '--data-dir', data, ...args], { env: testGitEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), json: parse(String(r.stdout)) };
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The built agentpr under a pseudo-terminal (`script`), so it prints its text rendering. */
async function cliOnTty(data: string, args: string[]): Promise<Ran> {
  const command = [process.execPath, BIN, '--data-dir', data, ...args].map(quote).join(' ');
  const r = await execa('script', ['-qec', command, '/dev/null'], { env: testGitEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout).replace(/\r/g, ''), stderr: String(r.stderr), json: undefined };
}

/** A prepared run in IMPLEMENTING whose workspace holds a failed attempt's leftovers. */
async function setup() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
  const fork = await makeBareFork(upstream);
  const data = tempDir('agentpr-cli-reset-');
  const steps = [
    ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_cli'],
    ['run-prepare', '--skip-doctor', '--run-id', 'run_cli', '--upstream-url', upstream.url, '--fork-url', fork.url, '--fork-owner', 'me'],
    ['mark-plan-ready', '--run-id', 'run_cli', '--contract-path', '/tmp/contract.md'],
    ['start-implementation', '--run-id', 'run_cli'],
  ];
  for (const step of steps) {
    const r = await cli(data, step);
    expect(r.code, r.stderr).toBe(0);
  }
  const workspace = join(data, 'workspaces', 'acme', 'widgets', 'run_cli');
  writeFileSync(join(workspace, 'src', 'app.txt'), 'one\nhalf done\n');
  writeFileSync(join(workspace, 'leftover.txt'), 'from the failed attempt\n');
  return { data, workspace, base: upstream.headSha };
}

describe('agentpr reset-workspace (built binary)', () => {
  it('--json: resets to the base commit, names the point, the patch and the counts; inspect-run lists the reset', async () => {
    const { data, workspace, base } = await setup();
    const r = await cli(data, ['reset-workspace', '--run-id', 'run_cli', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, run_id: 'run_cli', state: 'IMPLEMENTING', point: 'base', target_sha: base, previous_head: base, discarded: { tracked: 1, untracked: 1, ignored: 0 }, omitted: [] });
    expect(r.json.branch).toMatch(/^agentpr\/example-\d{8}-\d{6}-run_cli$/);
    expect(r.json.patch).toMatch(new RegExp(`^${join(data, 'reports')}/run_cli_discarded_.*\\.patch$`));
    expect(statSync(r.json.patch).mode & 0o777).toBe(0o600);
    const patch = readFileSync(r.json.patch, 'utf8');
    expect(patch).toContain('+half done');
    expect(patch).toContain('+from the failed attempt');
    expect(readFileSync(join(workspace, 'src', 'app.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(workspace, 'leftover.txt'))).toBe(false);
    expect(await git(workspace, ['status', '--porcelain', '--ignored'])).toBe('');

    const inspected = await cli(data, ['inspect-run', '--run-id', 'run_cli', '--include-log-tails']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const reset = (inspected.json.timing.attempts as Array<Record<string, unknown>>).find((a) => a.step === 'workspace_reset');
    expect(JSON.stringify(reset)).toContain(`reset to ${base} (base)`);
  });

  it('on a terminal: one line naming the point, the counts and the patch', async () => {
    const { data, base } = await setup();
    const r = await cliOnTty(data, ['reset-workspace', '--run-id', 'run_cli']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^reset run_cli's workspace to the base commit ${base.slice(0, 12)} on agentpr/\\S+ \\(1 tracked, 1 untracked, 0 ignored discarded\\); discarded changes kept in \\S+\\.patch$`),
    );
  });

  it('an unknown run, a run without a workspace and a terminal run get one line and exit 1, and nothing changes', async () => {
    const { data, workspace } = await setup();
    const unknown = await cli(data, ['reset-workspace', '--run-id', 'run_nope']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'agentpr: run run_nope not found. Use list-runs to see existing runs.']);

    expect((await cli(data, ['create-run', '--owner', 'acme', '--repo', 'gadgets', '--prompt-version', 'v1', '--run-id', 'run_bare'])).code).toBe(0);
    const bare = await cli(data, ['reset-workspace', '--run-id', 'run_bare']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toBe(`agentpr: run run_bare has no workspace at ${join(data, 'workspaces', 'acme', 'gadgets', 'run_bare')}; run run-prepare first.`);

    // A failed run an operator gave up on: FAILED_TERMINAL (through the store, as no CLI command fails a step).
    const store = await openStore({ kind: 'sqlite', path: join(data, 'agentpr.db') });
    try {
      await applyEvent(store.db, 'run_cli', { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'x', actor: 'worker' } });
      await applyEvent(store.db, 'run_cli', { event: { type: 'command.retry', target_state: 'FAILED_TERMINAL', actor: 'operator' } });
    } finally {
      await store.close();
    }
    const terminal = await cli(data, ['reset-workspace', '--run-id', 'run_cli']);
    expect(terminal.code).toBe(1);
    expect(terminal.stderr).toBe('agentpr: run run_cli is in FAILED_TERMINAL, which is terminal; its workspace is not reset. Use create-run to start again.');
    expect(readFileSync(join(workspace, 'leftover.txt'), 'utf8')).toBe('from the failed attempt\n');
    const missingFlag = await cli(data, ['reset-workspace']);
    expect(missingFlag.code).toBe(2);
    expect(missingFlag.stderr.trim().split('\n')).toHaveLength(1);
  });
});
