import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listRuns, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir, textSink } from '@agentpr/testing';
import { main } from '../main.js';

// Issue 17: a run's campaign is first-class input. create-run --campaign and import-runs' campaign field name a known
// campaign (the policy's campaigns, the campaign folder in use, default, or one with runs); an unknown one is one
// line on stderr, exit 2, and nothing is created.

afterAll(() => cleanupTempDirs());

let home: string;
let policy: string;
beforeEach(() => {
  home = tempDir('agentpr-cli-campaign-');
  policy = join(home, 'policy.json');
  writeFileSync(policy, JSON.stringify({ campaigns: { renovate: {}, 'spring-cleanup': {} } }));
});

async function cli(args: string[]) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await main(['--data-dir', home, '--policy-file', policy, '--skip-doctor', '--json', ...args], { stdout, stderr, env: { PATH: process.env.PATH, HOME: home } });
  return { code, stdout: stdout.text, stderr: stderr.text, json: parse(stdout.text) };
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function campaigns(): Promise<Record<string, string | null>> {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    return Object.fromEntries((await listRuns(store.db, { limit: 50 })).map((r) => [r.run_id, r.campaign]));
  } finally {
    await store.close();
  }
}

describe('campaigns as input (issue 17)', () => {
  it('create-run --campaign with an unknown name: exit 2, one line naming the known campaigns and the fix, nothing created', async () => {
    const r = await cli(['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_a', '--campaign', 'renovat']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^agentpr: invalid run: unknown campaign renovat; known: [^;]*\brenovate\b[^;]*; add it to the policy file's campaigns section or run with --campaign-dir pointing at its folder\n$/,
    );
    expect(r.json).toMatchObject({ ok: false });
    expect(await campaigns()).toEqual({});
  });

  it('create-run --campaign with a known one records it and reports it; list-runs --campaign finds it', async () => {
    const r = await cli(['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_a', '--campaign', 'Renovate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual({ run_id: 'run_a', campaign: 'renovate' });
    const listed = await cli(['list-runs', '--campaign', 'renovate']);
    expect(listed.json.runs.map((x: { run_id: string }) => x.run_id)).toEqual(['run_a']);
  });

  it('import-runs takes a campaign per entry; an unknown one names its line and nothing is imported', async () => {
    const file = join(home, 'runs.jsonl');
    writeFileSync(file, ['{"owner":"o","repo":"a","prompt_version":"v1","run_id":"run_a","campaign":"spring-cleanup"}', '{"owner":"o","repo":"b","prompt_version":"v1","run_id":"run_b","campaign":"autumn"}'].join('\n'));
    const refused = await cli(['import-runs', '--file', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^agentpr: invalid run at runs\.jsonl line 2: unknown campaign autumn; known: [^\n]*\n$/);
    expect(await campaigns()).toEqual({});

    writeFileSync(file, ['{"owner":"o","repo":"a","prompt_version":"v1","run_id":"run_a","campaign":"spring-cleanup"}', '{"owner":"o","repo":"b","prompt_version":"v1","run_id":"run_b"}'].join('\n'));
    const imported = await cli(['import-runs', '--file', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json).toEqual({ ok: true, created: 2 });
    const recorded = await campaigns();
    expect(recorded.run_a).toBe('spring-cleanup');
    expect(recorded.run_b).not.toBe('spring-cleanup');

    const badName = join(home, 'bad.json');
    writeFileSync(badName, JSON.stringify([{ owner: 'o', repo: 'c', prompt_version: 'v1', campaign: 'two words' }]));
    const bad = await cli(['import-runs', '--file', badName]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^agentpr: invalid run at bad\.json line 1 \(entry #1\): campaign: must be 1-64 letters, digits, "\.", "_" or "-", starting with a letter or digit\n$/);
  });

  it('import-runs --help names the campaign field', async () => {
    const help = await cli(['import-runs', '--help']);
    expect(help.stdout).toMatch(/campaign\?/);
  });
});
