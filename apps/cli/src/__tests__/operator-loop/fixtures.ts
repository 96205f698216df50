import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleProjectDir } from '@agentpr/model-stub';
import { createCodexHome, git, tempDir, testGitEnv } from '@agentpr/testing';

/** The upstream owner of the four repositories, and the fork owner agentpr pushes as. */
export const OWNER = 'octo-org';
export const FORK_OWNER = 'e2e-bot';
/** The campaign all four runs belong to (its folder is written by {@link buildFixtures}). */
export const CAMPAIGN = 'titlecase';
/** The GitHub token the stand-in requires, and the Telegram bot token of the stand-in bot. */
export const GITHUB_TOKEN = 'ghs_operatorLoopStandInToken000000000000';
export const BOT_TOKEN = '5550002:AAOperatorLoopFakeSecret_abcdefghijk';

/** One repository of the campaign: its name, its run id and what happens to it. */
export interface RepoPlan {
  repo: string;
  runId: string;
}

/** repo A: its upstream tests already fail before the agent. */
export const ALPHA: RepoPlan = { repo: 'alpha', runId: 'run_opl_alpha' };
/** repo B: the first agent attempt fails; the retry passes. */
export const BRAVO: RepoPlan = { repo: 'bravo', runId: 'run_opl_bravo' };
/** repo C: a failing CI check on its PR and a fix round. */
export const CHARLIE: RepoPlan = { repo: 'charlie', runId: 'run_opl_charlie' };
/** repo D: merged. */
export const DELTA: RepoPlan = { repo: 'delta', runId: 'run_opl_delta' };
export const REPOS: readonly RepoPlan[] = [ALPHA, BRAVO, CHARLIE, DELTA];

/** The test that fails on alpha's untouched upstream (the baseline must name it). */
export const ALPHA_BROKEN_TEST = 'legacy slugify keeps accents';
const ALPHA_BROKEN_FILE = [
  "import assert from 'node:assert/strict';",
  "import { test } from 'node:test';",
  '',
  `test('${ALPHA_BROKEN_TEST}', () => {`,
  "  assert.equal('Crème'.normalize('NFD').length, 5, 'broken upstream since the unicode change');",
  '});',
  '',
].join('\n');

/** Everything the test builds on disk: remotes, data dir, campaign, prompt and a codex home. */
export interface Fixtures {
  root: string;
  home: string;
  workspaceRoot: string;
  campaignDir: string;
  promptFile: string;
  codexHome: string;
  /** The folders laid out as `<dir>/<owner>/<repo>.git` (what the GitHub stand-in reads). */
  upstreamDir: string;
  forkDir: string;
  /** `--upstream-url` / `--fork-url` templates for the manager. */
  upstreamTemplate: string;
  forkTemplate: string;
}

function sampleFiles(): Record<string, string> {
  const dir = sampleProjectDir();
  const files: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

async function bareRepo(path: string, files: Record<string, string>): Promise<void> {
  const work = join(tempDir('agentpr-opl-seed-'), 'work');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, name)), { recursive: true });
    writeFileSync(join(work, name), content);
  }
  await git(work, ['init', '-q', '-b', 'main']);
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', 'chore: sample project']);
  mkdirSync(dirname(path), { recursive: true });
  await git(dirname(path), ['clone', '-q', '--bare', work, path]);
}

function writeCampaign(dir: string): void {
  const example = fileURLToPath(new URL('../../../../../campaigns/example/', import.meta.url));
  cpSync(example, dir, { recursive: true });
  const campaign = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'campaign.json'),
    `${JSON.stringify({ ...campaign, name: CAMPAIGN, branch_prefix: `agentpr/${CAMPAIGN}-`, default_commit_title: 'feat: add titleCase helper' }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'prompt_template.md'), 'Add titleCase(text) in src/title-case.js with a unit test, then run npm test and report the result.\n');
}

/**
 * Builds the four local upstream repositories (the model stub's sample project; alpha with a test that already
 * fails) and their bare forks under `<root>/remotes/{upstream,fork}/<owner>/<repo>.git`, the campaign folder, the
 * data dir and a codex home whose provider is the model router at `modelUrl`.
 */
export async function buildFixtures(modelUrl: string): Promise<Fixtures> {
  const root = tempDir('agentpr-operator-loop-');
  const sample = sampleFiles();
  for (const { repo } of REPOS) {
    const files = repo === ALPHA.repo ? { ...sample, 'test/legacy.test.js': ALPHA_BROKEN_FILE } : sample;
    await bareRepo(join(root, 'remotes', 'upstream', OWNER, `${repo}.git`), files);
    await bareRepo(join(root, 'remotes', 'fork', FORK_OWNER, `${repo}.git`), files);
  }
  const campaignDir = join(root, 'campaign', CAMPAIGN);
  writeCampaign(campaignDir);
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  // Four PRs of one campaign and one owner open within minutes: the default etiquette (3 open per owner, 2 per hour)
  // would hold the last ones, which is not what this loop is about.
  const etiquette = { max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0 };
  writeFileSync(join(home, 'manager_policy.json'), `${JSON.stringify({ campaigns: { [CAMPAIGN]: { etiquette } } }, null, 2)}\n`);
  const codex = createCodexHome({ baseUrl: modelUrl, streamIdleTimeoutMs: 20_000 });
  return {
    root,
    home,
    workspaceRoot: join(root, 'workspaces'),
    campaignDir,
    promptFile: join(campaignDir, 'prompt_template.md'),
    codexHome: codex.codexHome,
    upstreamDir: join(root, 'remotes', 'upstream'),
    forkDir: join(root, 'remotes', 'fork'),
    upstreamTemplate: join(root, 'remotes', 'upstream', '{owner}', '{repo}.git'),
    forkTemplate: join(root, 'remotes', 'fork', '{fork_owner}', '{repo}.git'),
  };
}

/** The environment of every agentpr process of the test: stand-ins, codex home, a fixed git identity. */
export function processEnv(fx: Fixtures, codexBin: string, githubUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...testGitEnv(),
    AGENTPR_HOME: fx.home,
    AGENTPR_CODEX_BIN: codexBin,
    CODEX_HOME: fx.codexHome,
    OPENAI_API_KEY: 'stub-key-not-a-secret',
    GITHUB_TOKEN,
    GITHUB_API_URL: githubUrl,
    AGENTPR_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    AGENTPR_FORK_OWNER: FORK_OWNER,
    AGENTPR_OFFLINE: '1',
  };
  delete env.TMPDIR;
  delete env.GH_TOKEN;
  delete env.AGENTPR_DATABASE_URL;
  return env;
}
