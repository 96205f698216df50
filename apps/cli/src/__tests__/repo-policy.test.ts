import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { main } from '../main.js';

afterAll(() => cleanupTempDirs());

const CORPUS = resolve(import.meta.dirname, '../../../../packages/citizenship/corpus');
const STANCES = ['forbidden', 'issue_first', 'disclosure_required', 'allowed', 'unknown'] as const;
const ACTIONS = { forbidden: 'skip', issue_first: 'require_issue', disclosure_required: 'disclose', allowed: 'disclose', unknown: 'disclose' } as const;

/** The first corpus text of a stance, with the path it had in its repository. */
function corpusSample(stance: (typeof STANCES)[number]): { sourcePath: string; text: string } {
  const file = readdirSync(join(CORPUS, stance)).sort()[0]!;
  const text = readFileSync(join(CORPUS, stance, file), 'utf8');
  return { sourcePath: /^\s*path: (\S+)$/m.exec(text)?.[1] ?? file, text };
}

let stub: GitHubStub;
let home: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'cli-token' });
  home = tempDir('agentpr-cli-policy-');
  env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: stub.url };
});
afterEach(() => stub.close());

async function cli(args: string[], options: { json?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  // A terminal gets text: the sink says it is a TTY when text is asked for.
  const out = Object.assign(sink((s) => (stdout += s)), { isTTY: options.json === false });
  const code = await main(['--data-dir', home, '--skip-doctor', ...(options.json === false ? [] : ['--json']), ...args], {
    stdout: out,
    stderr: sink((s) => (stderr += s)),
    env,
  });
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

async function storedChecks(): Promise<number> {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    const rows = await store.db.selectFrom('repo_policy_checks').select('id').execute();
    return rows.length;
  } finally {
    await store.close();
  }
}

describe('agentpr repo-policy against the GitHub stand-in', () => {
  for (const stance of STANCES) {
    it(`prints the ${stance} stance of a corpus repository, its quotes with their paths, the documents and the action`, async () => {
      const sample = corpusSample(stance);
      stub.addRepo('acme', 'widgets');
      stub.addFile('acme', 'widgets', sample.sourcePath, sample.text);
      stub.addFile('acme', 'widgets', 'AGENTS.md', 'Run the tests before pushing.');
      const r = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets']);
      expect(r.code).toBe(0);
      expect(r.json).toMatchObject({ owner: 'acme', repo: 'widgets', stance, reused: false, campaign: 'example', action: ACTIONS[stance], recheck_hours: 24 });
      expect(r.json.documents.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining([sample.sourcePath, 'AGENTS.md']));
      expect(r.json.agent_instruction_files).toEqual(['AGENTS.md']);
      if (stance === 'unknown') expect(r.json.evidence).toEqual([]);
      for (const e of r.json.evidence as Array<{ path: string; quote: string }>) {
        expect(e.path).toBe(sample.sourcePath);
        expect(sample.text).toContain(e.quote);
      }
      expect(stub.openApiViolations).toEqual([]);
    });
  }

  it('renders text for a person: stance, quotes with paths, documents read, the action; a second call reuses the stored classification', async () => {
    const sample = corpusSample('forbidden');
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', sample.sourcePath, sample.text);
    const first = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets'], { json: false });
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^acme\/widgets: AI stance forbidden \(read \d{4}-\d\d-\d\dT/);
    expect(lines[1]).toMatch(new RegExp(`^  ${sample.sourcePath.replace(/[.]/g, '\\.')}: ".+" \\[\\w+\\]$`));
    expect(first.stdout).toContain('documents read (1):');
    expect(lines.at(-1)).toBe('campaign example: skip: skip the repository: its runs end as SKIPPED with the quote as the reason');
    const again = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets']);
    expect(again.json).toMatchObject({ stance: 'forbidden', reused: true });
    expect(await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets', '--refresh'])).toMatchObject({ json: { reused: false } });
  });

  it('shows the action of another campaign with --campaign', async () => {
    writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({ campaigns: { careful: { ai_policy: { actions: { unknown: 'proceed' } } } } }));
    stub.addRepo('acme', 'widgets');
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', 'Please add tests.');
    const r = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets', '--campaign', 'careful']);
    expect(r.json).toMatchObject({ stance: 'unknown', campaign: 'careful', action: 'proceed', disclosure: null });
  });

  it('refuses a missing owner, a bad name and an unknown campaign with one line and the usage exit code, storing nothing', async () => {
    stub.addRepo('acme', 'widgets');
    const missing = await cli(['repo-policy', '--repo', 'widgets']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringContaining('repo-policy: --owner is required')]);
    const bad = await cli(['repo-policy', '--owner', 'acme', '--repo', 'wid gets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringContaining('repo: must contain only letters, digits')]);
    const campaign = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets', '--campaign', 'nope']);
    expect(campaign.code).toBe(2);
    expect(campaign.stderr).toContain('unknown campaign nope');
    expect(stub.requests.filter((q) => q.path.includes('/contents'))).toEqual([]);
    expect(await storedChecks()).toBe(0);
  });

  it('refuses a policy file that cannot be parsed with one line, reading and storing nothing', async () => {
    writeFileSync(join(home, 'manager_policy.json'), '{ "campaigns": ');
    stub.addRepo('acme', 'widgets');
    const r = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/invalid JSON.*manager_policy\.json/)]);
    expect(stub.requests).toEqual([]);
    expect(await storedChecks()).toBe(0);
  });

  it('says how to provide a token when there is none, and exits 1', async () => {
    env = { PATH: process.env.PATH, HOME: home, GITHUB_API_URL: stub.url, GH_CONFIG_DIR: join(home, 'no-gh') };
    const r = await cli(['repo-policy', '--owner', 'acme', '--repo', 'widgets']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no GitHub token: set GITHUB_TOKEN or GH_TOKEN');
  });
});
