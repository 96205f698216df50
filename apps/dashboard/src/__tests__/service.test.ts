import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir, textSink } from '@agentpr/testing';
import { main } from '../main.js';

// `agentpr-dashboard` in process: flags, the bind and token rules before listening, the listening line, a real
// server on 127.0.0.1 over a read-only store, and SIGTERM / SIGINT.

afterEach(() => cleanupTempDirs());

const TOKEN = 'service-token-0123456789abcdef';

/** A data dir with a migrated SQLite store holding one run. */
async function dataDir(): Promise<string> {
  const data = tempDir('agentpr-dashboard-');
  const store = await openStore({ kind: 'sqlite', path: join(data, 'agentpr.db') });
  try {
    await createRun(store.db, { runId: 'run_service1', owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(data, 'w') });
  } finally {
    await store.close();
  }
  return data;
}

interface Listening {
  ok: true;
  url: string;
  listening: string;
  store: string;
  auth: string;
}

/** Starts `agentpr-dashboard`; `serve` runs while it listens, then it is stopped with `signal`. */
async function dashboard(argv: string[], env: Record<string, string> = {}, serve?: (info: Listening) => Promise<void>, signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM') {
  return gated(['--skip-doctor', ...argv], env, serve, signal);
}

/** Starts `agentpr-dashboard` with its startup gate (profile read_only) unless `argv` skips it. */
async function gated(argv: string[], env: Record<string, string> = {}, serve?: (info: Listening) => Promise<void>, signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM') {
  const stdout = textSink();
  const stderr = textSink();
  const controller = new AbortController();
  const running = main(argv, { stdout, stderr, env: { PATH: process.env.PATH, HOME: tempDir('home-'), ...env }, signal: controller.signal });
  if (serve) {
    const deadline = Date.now() + 15_000;
    let settled = false;
    void running.finally(() => (settled = true));
    while (!stdout.text.includes('\n') && !settled) {
      if (Date.now() > deadline) throw new Error(`never listened; stderr: ${stderr.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!settled) {
      try {
        await serve(JSON.parse(stdout.text.split('\n')[0]!) as Listening);
      } finally {
        controller.abort(signal);
      }
    }
  }
  const code = await running;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('agentpr-dashboard', () => {
  it('--help names the command, its flags and the token rule, and exits 0', async () => {
    const r = await dashboard(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agentpr dashboard — /);
    expect(r.stdout).toContain('Usage: agentpr-dashboard [options]');
    for (const flag of ['--host', '--port', '--live-poll-ms', '--trusted-proxy']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('AGENTPR_DASHBOARD_TOKEN');
  });

  it.each([
    [['--port', '70000'], 'agentpr: --port must be a whole number from 0 to 65535 (got "70000")'],
    [['--live-poll-ms', '5'], 'agentpr: --live-poll-ms must be a whole number from 200 to 60000 (got "5")'],
    [['--trusted-proxy', 'nginx.local'], 'agentpr: --trusted-proxy must be IP addresses separated by commas (e.g. 127.0.0.1)'],
  ])('%j exits 2 with one line', async (argv, line) => {
    const r = await dashboard(['--data-dir', tempDir('d-'), ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([line]);
  });

  it('a non-loopback --host without AGENTPR_DASHBOARD_TOKEN is refused with one line, exit 2, before listening', async () => {
    const r = await dashboard(['--data-dir', await dataDir(), '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'agentpr: --host 0.0.0.0 is not a loopback address; set AGENTPR_DASHBOARD_TOKEN (16+ characters) to serve beyond this machine',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'usage' });
  });

  it('a token under 16 characters is refused with one line, exit 2, and not echoed', async () => {
    const r = await dashboard(['--data-dir', await dataDir(), '--port', '0'], { AGENTPR_DASHBOARD_TOKEN: 'short-secret-1' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('AGENTPR_DASHBOARD_TOKEN is too short (14 characters)');
    expect(r.stderr + r.stdout).not.toContain('short-secret-1');
  });

  it('a missing database is refused (the read-only store does not create one), exit 1', async () => {
    const r = await dashboard(['--data-dir', tempDir('empty-'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('its startup gate (profile read_only) refuses a missing store in one line naming store.read, exit 1, and creates nothing', async () => {
    const empty = tempDir('empty-');
    const r = await gated(['--data-dir', empty, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^agentpr: startup doctor gate \(profile read_only\) failed: store\.read: database .*agentpr\.db does not exist/);
    expect(existsSync(join(empty, 'agentpr.db'))).toBe(false);
  });

  // Mode 0500 binds no root (the deploy-check suite runs the unit's read-only bind mount); git is not on PATH either way.
  it('its startup gate passes on a read-only data directory and workspace root without git: it checks no writable path, git or network', async () => {
    const data = await dataDir();
    const workspaces = tempDir('ws-');
    chmodSync(workspaces, 0o500);
    // A writer holds the store open (its -wal and -shm exist), as the webhook does while the dashboard runs.
    const writer = await openStore({ kind: 'sqlite', path: join(data, 'agentpr.db') });
    for (const dir of ['reports', 'task_packets', 'contracts']) mkdirSync(join(data, dir), { recursive: true, mode: 0o700 });
    chmodSync(data, 0o500);
    try {
      const r = await gated(['--data-dir', data, '--workspace-root', join(workspaces, 'w'), '--port', '0', '--trusted-proxy', '127.0.0.1'], { PATH: '/nonexistent' }, async (info) => {
        expect((await fetch(`${info.url}runs/run_service1`)).status).toBe(200);
      });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      chmodSync(data, 0o700);
      chmodSync(workspaces, 0o700);
      await writer.close();
    }
  });

  it('listens on 127.0.0.1, prints the URL, serves /healthz and pages read-only, and exits 0 on SIGTERM', async () => {
    let seen: Listening | undefined;
    const r = await dashboard(['--data-dir', await dataDir(), '--port', '0'], {}, async (info) => {
      seen = info;
      expect(await (await fetch(`${info.url}healthz`)).json()).toEqual({ ok: true });
      const page = await fetch(`${info.url}runs/run_service1`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('run_service1');
    });
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toMatchObject({ ok: true, store: 'read-only', auth: 'none' });
    expect(seen!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('\n') + 1))).toEqual({ ok: true, stopped: true });
  });

  it('with a token it serves any host, asks for the token, never prints it, and exits 130 on SIGINT', async () => {
    const r = await dashboard(
      ['--data-dir', await dataDir(), '--host', '0.0.0.0', '--port', '0'],
      { AGENTPR_DASHBOARD_TOKEN: `  ${TOKEN}  ` },
      async (info) => {
        expect(info.auth).toBe('token');
        const port = new URL(info.url).port;
        expect((await fetch(`http://127.0.0.1:${port}/approvals`)).status).toBe(401);
        expect((await fetch(`http://127.0.0.1:${port}/approvals`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      },
      'SIGINT',
    );
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('SIGTERM ends an open live stream at once', async () => {
    const r = await dashboard(['--data-dir', await dataDir(), '--port', '0'], {}, async (info) => {
      const res = await fetch(`${info.url}live`);
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain(': ready');
      void reader.closed.catch(() => undefined);
    });
    expect(r.code, r.stderr).toBe(0);
  });
});
