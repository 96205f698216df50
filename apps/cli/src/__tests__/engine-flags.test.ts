import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeBinaryPath, cleanupTempDirs, tempDir } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
afterAll(() => cleanupTempDirs());

/** Runs the built CLI with stdin closed. */
function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** A fresh AGENTPR_HOME and an environment without the caller's engine settings. */
function environment(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; home: string } {
  const home = tempDir('agentpr-engine-cli-');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tempDir('agentpr-user-'), AGENTPR_HOME: home, ...extra };
  return { env, home };
}

const COMMANDS: Array<[string, string[]]> = [
  ['run-agent-step', ['--run-id', 'run_x', '--prompt', 'p']],
  ['drive', ['--run-id', 'run_x']],
  ['manager-tick', []],
  ['run-manager-loop', []],
];

describe('--engine on the agent and manager commands', () => {
  it.each(COMMANDS)('%s --engine bogus exits 2 with one line naming codex and claude, and creates no store', async (command, args) => {
    const { env, home } = environment();
    const r = await cli(['--skip-doctor', command, ...args, '--engine', 'bogus'], env);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--engine must be one of codex, claude, got "bogus"/);
    expect(existsSync(join(home, 'agentpr.db'))).toBe(false);
  });

  it.each(COMMANDS)('%s --help lists --engine with its values', async (command) => {
    const r = await cli([command, '--help'], environment().env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--engine ENGINE\s+codex \| claude/);
  });
});

describe('agentpr doctor and install-skills know Claude', () => {
  it('doctor lists the claude engine: found, its version, and where the policy uses it', async () => {
    const { env, home } = environment({ AGENTPR_CLAUDE_BIN: claudeBinaryPath() });
    const policy = join(home, 'policy.json');
    writeFileSync(policy, JSON.stringify({ run_agent_step: { repo_overrides: { 'octo/sample': { engine: 'claude' } } } }));
    const r = await cli(['--json', '--policy-file', policy, 'doctor', '--skip-network-check', '--no-require-gh-auth'], env);
    const report = JSON.parse(r.stdout) as { engines: Array<{ engine: string; used: boolean; used_by: string[]; ok: boolean; version: string | null }> };
    expect(report.engines.find((e) => e.engine === 'claude')).toMatchObject({ used: true, used_by: ['repo octo/sample'], ok: true, version: '2.1.332' });
    expect(report.engines.find((e) => e.engine === 'codex')).toMatchObject({ used: true, used_by: ['default'] });
  });

  it('install-skills --engine claude installs into $CLAUDE_CONFIG_DIR/skills; --engine bogus exits 2', async () => {
    const claudeHome = tempDir('agentpr-claude-home-');
    const { env } = environment({ CLAUDE_CONFIG_DIR: claudeHome });
    const r = await cli(['--json', 'install-skills', '--engine', 'claude'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skills_root: join(claudeHome, 'skills'), missing_required_after_install: [] });
    expect(readdirSync(join(claudeHome, 'skills'))).toContain('agentpr-implement-and-validate');
    expect((await cli(['install-skills', '--engine', 'bogus'], env)).code).toBe(2);
  });
});
