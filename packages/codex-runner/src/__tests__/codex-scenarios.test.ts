import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@agentpr/testing';
import { leftoverProcesses, runScenario } from './codex-harness.js';

afterAll(() => cleanupTempDirs());

// The real codex 0.169.0 binary against the scripted model stub, through runAgentProcess, isolation `none`.
describe.concurrent('runAgentProcess with the real codex binary', () => {
  it('implement-and-tests-pass: file changes, npm test exit 0, turn.completed, exit 0', async () => {
    const run = await runScenario('implement-and-tests-pass');
    expect(run.result.agentExit).toBe(0);
    expect(run.result.timedOut).toBe(false);
    expect(run.lines[0]?.event.type).toBe('thread.started');
    expect(run.lines.at(-1)?.event.type).toBe('turn.completed');
    expect(run.commands.map((c) => [c.command, c.exit_code, c.status])).toEqual([["/bin/bash -c 'npm test'", 0, 'completed']]);
    expect(run.fileChanges[0]?.changes.map((c) => [c.path, c.kind])).toEqual([
      [join(run.workspace.dir, 'src/title-case.js'), 'add'],
      [join(run.workspace.dir, 'test/title-case.test.js'), 'add'],
    ]);
    expect(readFileSync(join(run.workspace.dir, 'src/title-case.js'), 'utf8')).toContain('export function titleCase');
    expect(run.lastMessage).toContain('Status: PASS');
    // The artifact file holds exactly the lines the callback saw, and offsets never go backwards.
    expect(readFileSync(run.stdoutFile, 'utf8')).toBe(run.lines.map((l) => `${l.line}\n`).join(''));
    expect(run.result.lineCount).toBe(run.lines.length);
    expect(run.result.stdoutLineOffsetsMs).toEqual(run.lines.map((l) => l.offsetMs));
    const offsets = run.lines.map((l) => l.offsetMs);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('tests-fail: npm test exits 1 and is reported failed, yet codex exits 0', async () => {
    const run = await runScenario('tests-fail');
    expect(run.result.agentExit).toBe(0);
    expect(run.commands).toHaveLength(1);
    expect(run.commands[0]).toMatchObject({ command: "/bin/bash -c 'npm test'", exit_code: 1, status: 'failed' });
    expect(run.commands[0]?.aggregated_output).toMatch(/# fail 1/);
    expect(run.lastMessage).toContain('Status: FAIL');
  });

  it('tests-fail-then-pass: a failing npm test, an update patch, then a passing npm test', async () => {
    const run = await runScenario('tests-fail-then-pass');
    expect(run.result.agentExit).toBe(0);
    expect(run.commands.map((c) => c.exit_code)).toEqual([1, 0]);
    expect(run.fileChanges.map((f) => f.changes.map((c) => c.kind))).toEqual([['add', 'add'], ['update']]);
    expect(readFileSync(join(run.workspace.dir, 'src/title-case.js'), 'utf8')).toContain("join(' ')");
  });

  it('model-stream-fails: response.failed ends in error + turn.failed and exit 1', async () => {
    const run = await runScenario('model-stream-fails');
    expect(run.result.agentExit).toBe(1);
    const types = run.lines.map((l) => l.event.type);
    expect(types.slice(-2)).toEqual(['error', 'turn.failed']);
    expect(JSON.stringify(run.lines.at(-1)?.event)).toContain('the scripted model backend dropped the stream');
    expect(run.commands).toHaveLength(1);
  });

  it('git-push-not-allowed: the push attempt shows in the stream and nothing reaches the remote', async () => {
    const run = await runScenario('git-push-not-allowed', { withRemote: true });
    expect(run.result.agentExit).toBe(0);
    const commands = run.lines
      .filter((l) => l.event.type === 'item.started')
      .map((l) => (l.event.item as { command?: string }).command)
      .filter(Boolean);
    expect(commands.some((c) => /git push origin HEAD/.test(c!))).toBe(true);
    // codex's workspace-write sandbox keeps .git read-only, so neither the commit nor the push lands.
    expect(await git(run.workspace.dir, ['ls-remote', run.workspace.remote!, 'refs/heads/main'])).toContain(run.workspace.baseSha);
    expect(await git(run.workspace.dir, ['rev-parse', 'HEAD'])).toBe(run.workspace.baseSha);
  });

  it('inspect-environment: the agent never sees the bot token, webhook secret, GitHub tokens or the operator HOME', async () => {
    const secrets = {
      AGENTPR_TELEGRAM_BOT_TOKEN: 'bot-token-must-not-leak',
      AGENTPR_GITHUB_WEBHOOK_SECRET: 'webhook-secret-must-not-leak',
      AGENTPR_DATABASE_URL: 'postgres://must-not-leak',
      GITHUB_TOKEN: 'ghp_must_not_leak',
      GH_TOKEN: 'gho_must_not_leak',
      OPENAI_API_KEY: 'sk-allowed-model-credential',
    };
    const run = await runScenario('inspect-environment', { parentEnv: secrets });
    expect(run.result.agentExit).toBe(0);
    const output = run.commands[0]?.aggregated_output ?? '';
    expect(output).toContain(`CODEX_HOME=`);
    expect(output).toContain(`AGENTPR_RUNTIME_DIR=${join(run.workspace.dir, '.agentpr_runtime')}`);
    expect(output).toContain(`HOME=${join(run.workspace.dir, '.agentpr_runtime', 'home')}`);
    expect(output).toContain('OPENAI_API_KEY=sk-allowed-model-credential');
    for (const name of ['AGENTPR_TELEGRAM_BOT_TOKEN', 'AGENTPR_GITHUB_WEBHOOK_SECRET', 'AGENTPR_DATABASE_URL', 'GITHUB_TOKEN', 'GH_TOKEN']) {
      expect(output).not.toContain(`${name}=`);
    }
    for (const value of Object.values(secrets).filter((v) => v.includes('must-not') || v.includes('must_not'))) {
      expect(output).not.toContain(value);
    }
  });

  it('model-http-500: an HTTP 500 from the model ends in turn.failed and exit 1', async () => {
    const run = await runScenario('model-http-500');
    expect(run.result.agentExit).toBe(1);
    expect(run.lines.at(-1)?.event.type).toBe('turn.failed');
    expect(existsSync(run.lastMessagePath) ? readFileSync(run.lastMessagePath, 'utf8') : '').toBe('');
  });
});

// Alone, so that codex reaches the sleeping command well within the limit.
describe('runAgentProcess timeout with the real codex binary', () => {
  // 5 s: long enough for codex to launch its command on a loaded 2-core machine (it needs ~2-5 s there), so the
  // test checks the kill, not codex's start-up speed.
  it('hang-past-timeout: a 5 s limit returns within limit + 2 s with exit 124, the timeout line, and no process left', { retry: 2 }, async () => {
    const marker = `300.${process.pid}${Math.floor(Math.random() * 1000)}`;
    const started = performance.now();
    const run = await runScenario('hang-past-timeout', { maxDurationSec: 5, vars: { SLEEP_SECONDS: marker } });
    const elapsed = performance.now() - started;
    expect(run.result.timedOut).toBe(true);
    expect(run.result.agentExit).toBe(124);
    expect(run.result.stderr.trimEnd().split('\n').at(-1)).toBe('agent_execution_timeout: exceeded max_duration_sec=5');
    expect(run.result.durationMs).toBeGreaterThanOrEqual(5000);
    expect(run.result.durationMs).toBeLessThan(7000);
    // The whole scenario (stub, workspace, codex, kill) stays within limit + 2 s plus setup time.
    expect(elapsed).toBeLessThan(7000 + 2000);
    // The command had started (codex reports it when it launches it), so the sleeps existed and were killed.
    expect(run.lines.some((l) => l.event.type === 'item.started')).toBe(true);
    expect(await leftoverProcesses(marker, run.result.pid)).toEqual([]);
  });

});
