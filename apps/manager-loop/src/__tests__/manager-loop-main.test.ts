import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyEvent, createRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir, textSink } from '@agentpr/testing';
import { main } from '../main.js';

afterEach(() => cleanupTempDirs());

/** Runs `agentpr-manager` in process; `stop` aborts its signal with a signal name once `when` holds. */
async function manager(argv: string[], stop?: { when: (stdout: string) => boolean; signal: 'SIGINT' | 'SIGTERM' }) {
  const stdout = textSink();
  const stderr = textSink();
  const controller = new AbortController();
  const env = { PATH: process.env.PATH, HOME: tempDir('agentpr-home-') };
  const running = main(argv, { stdout, stderr, env, signal: controller.signal });
  if (stop) {
    const deadline = Date.now() + 15_000;
    while (!stop.when(stdout.text)) {
      if (Date.now() > deadline) throw new Error(`the loop never got there; stdout: ${stdout.text} stderr: ${stderr.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort(stop.signal);
  }
  const code = await running;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A data dir whose SQLite store holds one PAUSED run: the manager has nothing to do with it, no agent needed. */
async function dataDirWithPausedRun(): Promise<string> {
  const data = tempDir('agentpr-manager-');
  const store = await openStore({ kind: 'sqlite', path: join(data, 'agentpr.db') });
  try {
    await createRun(store.db, { runId: 'run_paused1', owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(data, 'w') });
    await applyEvent(store.db, 'run_paused1', { event: { type: 'command.pause', actor: 'operator' } });
  } finally {
    await store.close();
  }
  return data;
}

const ticks = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ok: boolean; results: unknown[] });

describe('agentpr-manager', () => {
  it('runs two ticks against a SQLite store, prints one JSON report per tick and exits 0', async () => {
    const data = await dataDirWithPausedRun();
    const r = await manager(['--data-dir', data, '--skip-doctor', '--max-loops', '2', '--interval-sec', '1']);
    expect(r.code, r.stderr).toBe(0);
    const reports = ticks(r.stdout);
    expect(reports).toHaveLength(2);
    for (const report of reports) expect(report).toMatchObject({ ok: true, results: [] });
    // Structured logs: pino JSON lines on stderr, one per tick among them.
    const logs = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; msg: string; bin: string });
    expect(logs.filter((l) => l.msg === 'tick')).toHaveLength(2);
    expect(logs.every((l) => l.name === 'manager-loop' && l.bin === 'agentpr-manager')).toBe(true);
  }, 30_000);

  it('SIGTERM stops it after the tick in hand with exit 0; SIGINT exits 130', async () => {
    const data = await dataDirWithPausedRun();
    const args = ['--data-dir', data, '--skip-doctor', '--interval-sec', '300'];
    const term = await manager(args, { when: (out) => out.includes('"results"'), signal: 'SIGTERM' });
    expect(term.code, term.stderr).toBe(0);
    expect(ticks(term.stdout)).toHaveLength(1);
    expect(term.stderr).toContain('stopping: no new work; running actions get 30 s to finish');
    const int = await manager(args, { when: (out) => out.includes('"results"'), signal: 'SIGINT' });
    expect(int.code).toBe(130);
  }, 30_000);

  it('a bad flag value exits 2 with one line naming the flag, before opening anything', async () => {
    const data = tempDir('agentpr-manager-');
    const r = await manager(['--data-dir', data, '--skip-doctor', '--interval-sec', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['agentpr: --interval-sec must be at least 1, got 0']);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'usage' });
  });

  it('an unknown flag and a bad --isolation exit 2 naming them', async () => {
    const unknown = await manager(['--skip-doctor', '--no-such-flag']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^agentpr: run-manager-loop: Unknown option '--no-such-flag'. Run `agentpr-manager --help` for usage.\n$/);
    const isolation = await manager(['--skip-doctor', '--isolation', 'docker']);
    expect(isolation.code).toBe(2);
    expect(isolation.stderr).toContain('--isolation must be one of bwrap, none, got "docker"');
  });

  it('--help names the CLI command it is and lists every flag', async () => {
    const r = await manager(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^agentpr run-manager-loop — /);
    for (const name of ['--interval-sec', '--max-loops', '--shutdown-grace-sec', '--prompt-file', '--data-dir', '--skip-doctor']) expect(r.stdout).toContain(name);
  });
});
