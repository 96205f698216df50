import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

// `agentpr dashboard` from the built CLI (dist/agentpr.js) and the `agentpr-dashboard` binary, as processes.

const CLI = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const DASHBOARD_BIN = fileURLToPath(new URL('../../dist/agentpr-dashboard.js', import.meta.url));
const TOKEN = 'cli-dashboard-token-0123456789';

let child: ResultPromise | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await child.catch(() => undefined);
  }
  child = undefined;
  cleanupTempDirs();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-'), ...extra };
}

function cli(args: string[], extra: Record<string, string> = {}) {
  return execa(process.execPath, [CLI, ...args], { env: env(extra), extendEnv: false, reject: false, stdin: 'ignore' });
}

/** A data dir with a migrated SQLite store holding one run. */
async function dataDir(): Promise<string> {
  const data = tempDir('agentpr-dash-cli-');
  const store = await openStore({ kind: 'sqlite', path: join(data, 'agentpr.db') });
  try {
    await createRun(store.db, { runId: 'run_cli_dash', owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(data, 'w') });
  } finally {
    await store.close();
  }
  return data;
}

/** Resolves with the first stdout line of a running process (the listening line). */
function firstLine(proc: ResultPromise): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code} before listening`)));
  });
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('agentpr dashboard (built CLI)', () => {
  it('--help lists its flags; agentpr-dashboard --help opens with the same line', async () => {
    const r = await cli(['dashboard', '--help']);
    expect(r.exitCode).toBe(0);
    for (const flag of ['--host', '--port', '--live-poll-ms']) expect(r.stdout).toContain(flag);
    const bin = await execa(process.execPath, [DASHBOARD_BIN, '--help'], { env: env(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(bin.exitCode).toBe(0);
    expect(bin.stdout.split('\n')[0]).toMatch(/^agentpr dashboard — /);
  });

  it('a bad flag value exits 2 with one line on stderr', async () => {
    const r = await cli(['dashboard', '--data-dir', await dataDir(), '--skip-doctor', '--port', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['agentpr: --port must be a whole number from 0 to 65535 (got "nope")']);
  });

  it('a non-loopback --host without AGENTPR_DASHBOARD_TOKEN is refused: exit 2, one line', async () => {
    const r = await cli(['dashboard', '--data-dir', await dataDir(), '--skip-doctor', '--host', '0.0.0.0', '--port', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'agentpr: --host 0.0.0.0 is not a loopback address; set AGENTPR_DASHBOARD_TOKEN (16+ characters) to serve beyond this machine',
    ]);
  });

  it('starts read-only, answers /healthz and pages, leaves the database untouched, and SIGTERM stops it with exit 0', async () => {
    const data = await dataDir();
    const db = join(data, 'agentpr.db');
    const before = sha(db);
    child = execa(process.execPath, [CLI, 'dashboard', '--data-dir', data, '--skip-doctor', '--port', '0'], {
      env: env(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    const info = JSON.parse(await firstLine(child)) as { url: string; store: string; auth: string };
    expect(info).toMatchObject({ store: 'read-only', auth: 'none' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(`${info.url}healthz`)).json()).toEqual({ ok: true });
    const page = await fetch(`${info.url}runs/run_cli_dash`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('run_cli_dash');
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain('agentpr: dashboard on http://127.0.0.1:');
    expect(sha(db)).toBe(before);
  });

  it('with a token on a non-loopback host it asks for the token and never prints it', async () => {
    child = execa(process.execPath, [CLI, 'dashboard', '--data-dir', await dataDir(), '--skip-doctor', '--host', '0.0.0.0', '--port', '0'], {
      env: env({ AGENTPR_DASHBOARD_TOKEN: TOKEN }),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    const info = JSON.parse(await firstLine(child)) as { url: string; auth: string };
    expect(info.auth).toBe('token');
    const port = new URL(info.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toContain(TOKEN);
  });
});
