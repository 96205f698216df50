import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@agentpr/testing';
import { checkIsolation } from '../isolation.js';
import { leftoverProcesses, runScenario } from './codex-harness.js';

// Outside /tmp on purpose: bwrap gives the agent a private /tmp, so a target there would prove nothing.
const outsideRoot = mkdtempSync('/var/tmp/agentpr-outside-');

afterAll(() => {
  rmSync(outsideRoot, { recursive: true, force: true });
  cleanupTempDirs();
});

describe('checkIsolation', () => {
  it('checkIsolation none always passes', async () => {
    expect(await checkIsolation('none', {})).toEqual({ ok: true, level: 'none', bwrapPath: null, version: null });
  });

  it('checkIsolation bwrap without bwrap on PATH fails with a reason and an install hint', async () => {
    const result = await checkIsolation('bwrap', { PATH: '/nonexistent' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/no bwrap binary was found on PATH/);
    expect(result.hint).toMatch(/apt-get install bubblewrap/);
  });

  it('checkIsolation bwrap with AGENTPR_BWRAP_BIN pointing to a program that cannot sandbox fails clearly', async () => {
    const result = await checkIsolation('bwrap', { PATH: process.env.PATH, AGENTPR_BWRAP_BIN: '/bin/false' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/cannot create its sandbox here/);
  });
});

// Set AGENTPR_TEST_SKIP_BWRAP=1 only on machines that cannot run bubblewrap at all.
describe.skipIf(process.env.AGENTPR_TEST_SKIP_BWRAP === '1').concurrent('isolation bwrap with the real codex binary', () => {
  it('checkIsolation bwrap passes on this machine (install bubblewrap if this fails)', async () => {
    const result = await checkIsolation('bwrap', process.env);
    expect(result).toMatchObject({ ok: true, level: 'bwrap' });
  });

  it('write-outside-workspace under bwrap (codex sandbox off): the write fails and the file does not exist', async () => {
    const target = join(outsideRoot, 'bwrap');
    const run = await runScenario('write-outside-workspace', { isolation: 'bwrap', sandbox: 'danger-full-access', vars: { OUTSIDE_DIR: target } });
    expect(run.result.exitCode).toBe(0);
    expect(run.commands[0]).toMatchObject({ exit_code: 1, status: 'failed' });
    expect(run.commands[0]?.aggregated_output).toMatch(/Read-only file system/);
    expect(existsSync(join(target, 'escaped.txt'))).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('write-outside-workspace without isolation and without codex sandbox does write the file (control)', async () => {
    const target = join(outsideRoot, 'none');
    const run = await runScenario('write-outside-workspace', { isolation: 'none', sandbox: 'danger-full-access', vars: { OUTSIDE_DIR: target } });
    expect(run.result.exitCode).toBe(0);
    expect(readFileSync(join(target, 'escaped.txt'), 'utf8')).toBe('escaped\n');
  });

  it('git-push-not-allowed under bwrap with codex workspace-write nested: edits land, npm test passes, nothing is pushed', async () => {
    const run = await runScenario('git-push-not-allowed', { isolation: 'bwrap', withRemote: true });
    expect(run.result.exitCode).toBe(0);
    expect(existsSync(join(run.workspace.dir, 'src/title-case.js'))).toBe(true);
    expect(run.commands.find((c) => c.command.includes('npm test'))).toMatchObject({ exit_code: 0, status: 'completed' });
    expect(run.lines.some((l) => JSON.stringify(l.event).includes('git push origin HEAD'))).toBe(true);
    expect(await git(run.workspace.dir, ['ls-remote', run.workspace.remote!, 'refs/heads/main'])).toContain(run.workspace.baseSha);
    expect(run.lastMessage).toContain('Status: PASS');
  });
});

describe.skipIf(process.env.AGENTPR_TEST_SKIP_BWRAP === '1')('isolation bwrap timeout', () => {
  it('hang-past-timeout under bwrap: exit 124 within limit + 2 s and no process left', { retry: 2 }, async () => {
    const marker = `301.${process.pid}${Math.floor(Math.random() * 1000)}`;
    const run = await runScenario('hang-past-timeout', { isolation: 'bwrap', maxDurationSec: 2, vars: { SLEEP_SECONDS: marker } });
    expect(run.result.exitCode).toBe(124);
    expect(run.result.timedOut).toBe(true);
    expect(run.result.durationMs).toBeLessThan(4000);
    expect(run.lines.some((l) => l.event.type === 'item.started')).toBe(true);
    expect(await leftoverProcesses(marker)).toEqual([]);
  });
});
