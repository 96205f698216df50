import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, textSink } from '@agentpr/testing';
import { main } from '../main.js';
import { secretFlagValues } from '../secret-flags.js';

afterAll(() => cleanupTempDirs());

const CANARY = 'ghp_CanaryToken_data_at_rest_0123456789';
const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: CANARY };

async function cli(home: string, args: string[], env: Record<string, string | undefined> = ENV) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await main(['--data-dir', home, '--skip-doctor', '--json', ...args], { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Every directory and file under `root`, with its permission bits. */
function modes(root: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [{ path: root, dir: true, mode: statSync(root).mode & 0o777 }];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...modes(path));
    else out.push({ path, dir: false, mode: statSync(path).mode & 0o777 });
  }
  return out;
}

describe('data at rest (issue 13)', () => {
  it('under umask 022, init-db, create-run and skills-feedback leave only 0700 directories and 0600 files in a fresh data dir', async () => {
    const home = join(tempDir('agentpr-rest-'), 'fresh', 'agentpr');
    const previous = process.umask(0o022);
    try {
      expect((await cli(home, ['init-db'])).code).toBe(0);
      expect((await cli(home, ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', 'v1', '--run-id', 'run_rest'])).code).toBe(0);
      const feedback = await cli(home, ['skills-feedback']);
      expect(feedback.code, feedback.stderr).toBe(0);
      const { report_path, markdown_path } = JSON.parse(feedback.stdout) as { report_path: string; markdown_path: string };
      expect(statSync(report_path).mode & 0o777).toBe(0o600);
      expect(statSync(markdown_path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
    const found = modes(home);
    const names = found.map((f) => f.path.slice(home.length));
    expect(names).toEqual(expect.arrayContaining(['', '/agentpr.db', '/reports', '/task_packets', '/contracts', '/workspaces']));
    expect(found.filter((f) => f.dir && f.mode !== 0o700)).toEqual([]);
    expect(found.filter((f) => !f.dir && f.mode !== 0o600)).toEqual([]);
  });

  it('show-run of a run whose stored field holds a secret prints *** on stdout, and an error echoing one prints *** on stderr', async () => {
    const home = tempDir('agentpr-rest-');
    // The canary is stored as given (the CLI is not the agent); what matters is that it is never printed.
    const created = await cli(home, ['create-run', '--owner', 'acme', '--repo', 'widgets', '--prompt-version', CANARY, '--run-id', 'run_canary']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).not.toContain(CANARY);
    const shown = await cli(home, ['show-run', '--run-id', 'run_canary']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain(CANARY);
    expect(shown.stdout).toContain('***');
    const db = readFileSync(join(home, 'agentpr.db'));
    expect(db.includes(CANARY)).toBe(true);

    const refused = await cli(home, ['show-run', '--run-id', CANARY]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('***');
    expect(refused.stderr + refused.stdout).not.toContain(CANARY);
  });

  it('a secret given as a flag is redacted from the output even when it is not in the environment', async () => {
    const home = tempDir('agentpr-rest-');
    const secret = 'flag-canary-webhook-secret';
    // A stray positional is echoed in the usage error; here it is the secret itself.
    const r = await cli(home, ['webhook-probe', secret, '--secret', secret], { PATH: process.env.PATH });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected argument "***"');
    expect(r.stderr + r.stdout).not.toContain(secret);
  });
});

describe('secretFlagValues', () => {
  it('reads --secret, --previous-secret, --telegram-token, --metrics-token and --database-url in both spellings, and nothing after --', () => {
    expect(
      Object.values(secretFlagValues(['--secret', 'a1', '--previous-secret=b2', 'run-telegram-bot', '--telegram-token', 'c3', '--metrics-token=m4', '--database-url=postgres://u:p@h/d', '--owner', 'x', '--', '--secret', 'no'])),
    ).toEqual(['a1', 'b2', 'c3', 'm4', 'postgres://u:p@h/d']);
  });
});
