import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
afterAll(() => cleanupTempDirs());

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

async function cli(db: TestDatabase, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const home = tempDir('agentpr-home-');
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...db.cliArgs, '--data-dir', home, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { code: 0, stdout, stderr, json };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    let json: unknown;
    try {
      json = JSON.parse(e.stdout);
    } catch {
      json = undefined;
    }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json };
  }
}

describe('built agentpr binary', () => {
  it('exists (nx builds it before the tests)', () => {
    expect(existsSync(BIN)).toBe(true);
  });
});

describe.each(dialectsUnderTest())('agentpr lifecycle on %s', (kind) => {
  it('drives a run QUEUED → … → DONE through the CLI', async () => {
    const db = await freshDatabase(kind);
    try {
      expect((await cli(db, ['init-db'])).json).toMatchObject({ ok: true, dialect: kind });
      const created = await cli(db, ['create-run', '--owner', 'Octo-Org', '--repo', 'Widgets', '--prompt-version', 'v1', '--run-id', 'run_life']);
      expect(created).toMatchObject({ code: 0, json: { run_id: 'run_life' } });
      const steps: Array<[string[], string]> = [
        [['start-discovery'], 'DISCOVERY'],
        [['mark-plan-ready', '--contract-path', '/tmp/contract.md'], 'PLAN_READY'],
        [['start-implementation'], 'IMPLEMENTING'],
        [['pause'], 'PAUSED'],
        [['resume'], 'IMPLEMENTING'],
        [['mark-local-validated'], 'LOCAL_VALIDATING'],
        [['link-pr', '--pr-number', '12'], '!'],
      ];
      for (const [args, state] of steps) {
        const r = await cli(db, [...args, '--run-id', 'run_life']);
        if (state === '!') {
          expect(r.code, r.stderr).toBe(1);
        } else {
          expect(r.code, r.stderr).toBe(0);
          expect(r.json).toMatchObject({ duplicate: false, run_id: 'run_life', state });
        }
      }
      // No run-finish in this issue: mark the push the way run-finish would, through the store.
      const { openStore, applyEvent } = await import('@agentpr/store');
      const store = await openStore(db.location);
      await applyEvent(store.db, 'run_life', { event: { type: 'worker.push.completed', branch: 'feature/x', head_sha: 'abc' } });
      await store.close();
      const tail: Array<[string[], string]> = [
        [['link-pr', '--pr-number', '12'], 'CI_WAIT'],
        [['record-check', '--conclusion', 'failure', '--pr-number', '12'], 'ITERATING'],
        [['start-implementation'], 'IMPLEMENTING'],
        [['mark-local-validated'], 'LOCAL_VALIDATING'],
      ];
      for (const [args, state] of tail) {
        const r = await cli(db, [...args, '--run-id', 'run_life']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json.state).toBe(state);
      }
      const store2 = await openStore(db.location);
      await applyEvent(store2.db, 'run_life', { event: { type: 'worker.push.completed', branch: 'feature/x', head_sha: 'def' } });
      await store2.close();
      const stale = await cli(db, ['record-check', '--run-id', 'run_life', '--conclusion', 'success', '--head-sha', 'abc']);
      expect(stale.code).toBe(1);
      expect(stale.json).toMatchObject({ applied: false, reason: 'stale_head_sha', state: 'PUSHED' });
      const end: Array<[string[], string]> = [
        [['link-pr', '--pr-number', '12'], 'CI_WAIT'],
        [['record-check', '--conclusion', 'success', '--head-sha', 'def'], 'REVIEW_WAIT'],
        [['record-review', '--state', 'approved'], 'REVIEW_WAIT'],
        // Issue 15: the store knows no merge of PR #12, so mark-done needs --force.
        [['mark-done', '--force'], 'DONE'],
      ];
      for (const [args, state] of end) {
        const r = await cli(db, [...args, '--run-id', 'run_life']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json.state).toBe(state);
      }
      const shown = await cli(db, ['show-run', '--run-id', 'run_life']);
      expect(shown.json).toMatchObject({ state: 'DONE', run: { owner: 'Octo-Org', repo: 'Widgets', pr_number: 12 } });
      expect(shown.json.run.workspace_dir).toMatch(/\/workspaces\/Octo-Org\/Widgets\/run_life$/);
      const again = await cli(db, ['pause', '--run-id', 'run_life']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/DONE is terminal/);
    } finally {
      await db.drop();
    }
  });

  it('refusals and bad input exit non-zero with one line and leave the database unchanged', async () => {
    const db = await freshDatabase(kind);
    try {
      await cli(db, ['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_x']);
      const before = await cli(db, ['list-runs', '--json']);
      const cases: Array<[string[], number, RegExp]> = [
        [['mark-done', '--run-id', 'run_x'], 1, /does not apply to run run_x in QUEUED/],
        [['resume', '--run-id', 'run_x'], 1, /resume works only from PAUSED/],
        [['retry', '--run-id', 'run_x', '--target-state', 'BOGUS'], 2, /not a state/],
        [['show-run', '--run-id', 'missing'], 1, /run missing not found/],
        [['pause', '--run-id', 'missing'], 1, /run missing not found/],
        [['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--budget-json', '{bad'], 2, /^invalid JSON: --budget-json/],
        [['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--budget-json', '"s"'], 2, /must be a JSON object/],
        [['create-run', '--owner', 'o/x', '--repo', 'r', '--prompt-version', 'v1'], 2, /owner: must contain only/],
        [['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', '../etc'], 2, /run_id: must match/],
        [['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_x'], 1, /already exists/],
        [['list-runs', '--limit', 'ten'], 2, /--limit must be an integer/],
        [['list-runs', '--frobnicate'], 2, /Unknown option '--frobnicate'/],
        [['list-runs', '--limit', '-3'], 2, /^list-runs: --limit needs a value; write a value that starts with "-" as --limit=-VALUE\. Run `agentpr list-runs --help` for usage\.$/],
        [['list-runs', '--limit=-3'], 2, /--limit must be at least 1/],
        [['no-such-command'], 2, /unknown command "no-such-command"/],
      ];
      for (const [args, code, pattern] of cases) {
        const r = await cli(db, args);
        expect(r.code, args.join(' ')).toBe(code);
        expect(r.json, args.join(' ')).toMatchObject({ ok: false });
        expect(r.json.error, args.join(' ')).toMatch(pattern);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      const after = await cli(db, ['list-runs', '--json']);
      expect(after.json).toEqual(before.json);
    } finally {
      await db.drop();
    }
  });
});

describe('agentpr output modes', () => {
  it('prints a table on a TTY and JSON otherwise', async () => {
    const { main } = await import('../main.js');
    const dir = tempDir();
    const chunks: string[] = [];
    const tty = Object.assign(new (await import('node:stream')).PassThrough(), { isTTY: true });
    tty.on('data', (c) => chunks.push(String(c)));
    const err = new (await import('node:stream')).PassThrough();
    const env = { ...process.env, AGENTPR_HOME: dir };
    expect(await main(['create-run', '--owner', 'o', '--repo', 'r', '--prompt-version', 'v1', '--run-id', 'run_t'], { stdout: tty, stderr: err, env })).toBe(0);
    chunks.length = 0;
    expect(await main(['list-runs'], { stdout: tty, stderr: err, env })).toBe(0);
    const text = chunks.join('');
    expect(text).toMatch(/^RUN\s+REPO\s+CAMPAIGN\s+STATE\s+PR\s+UPDATED/);
    expect(text).toContain('run_t');
    expect(() => JSON.parse(text)).toThrow();
    chunks.length = 0;
    expect(await main(['list-runs', '--json'], { stdout: tty, stderr: err, env })).toBe(0);
    expect(JSON.parse(chunks.join('')).runs[0].run_id).toBe('run_t');
  });

  it('--help lists the commands and each command has help with an example', async () => {
    const db = await freshDatabase('sqlite');
    const general = await cli(db, ['--help']);
    expect(general.stdout).toContain('create-run');
    expect(general.stdout).toContain('list-runs');
    const one = await cli(db, ['create-run', '--help']);
    expect(one.stdout).toContain('--prompt-version LABEL');
    expect(one.stdout).toMatch(/Example:\n\s+agentpr create-run/);
  });
});
