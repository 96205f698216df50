// Issue 15, "Tests": the offline operator's loop. Four local upstream repositories in one campaign are driven from
// QUEUED to their ends by the manager (`agentpr manager-tick`, the unit of `run-manager-loop`) and a human's taps in
// Telegram (the built `agentpr-bot` against telegram-test-api), with the real codex against the scripted model stub
// and the GitHub stand-in. The test itself only calls the built CLI, sends Telegram updates as the human, and does
// what a GitHub user would do on the stand-in (a CI result, a merge): no git, no curl.
//   alpha:   its upstream tests already fail before the agent; the baseline records it and the attempt passes.
//   bravo:   the first agent attempt fails (the model stream drops); the retry runs on a reset workspace and passes.
//   charlie: its PR gets a failing CI check, a fix round (ITERATING, agent, re-push) and returns to CI_WAIT by itself.
//   delta:   its PR is merged on GitHub and the run reaches DONE.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { cleanupTempDirs, codexBinaryPath } from '@agentpr/testing';
import { commandsRun, globalArgs, runCli, states as runStates, tickUntil } from './operator-loop/cli.js';
import { ALPHA, ALPHA_BROKEN_TEST, BRAVO, buildFixtures, CAMPAIGN, CHARLIE, DELTA, GITHUB_TOKEN, OWNER, processEnv, REPOS, type Fixtures } from './operator-loop/fixtures.js';
import { startModelRouter, type ModelRouter } from './operator-loop/model-router.js';
import { startTelegram, type BotMessage, type TelegramSession } from './operator-loop/telegram.js';

/**
 * Features of issue 15 other engineers are building while this test is written. Each gates only the steps that need
 * it; flip it to true when it lands (git log) and the step runs.
 */
const LANDED = {
  /**
   * run-prepare records the tests failing on the untouched base; they do not fail the attempt. Under codex, node:test
   * reports alpha's broken file as a whole (`not ok 1 - …/test/legacy.test.js`); the baseline recorded the file its
   * failing test lives in, so the judge matches the two.
   */
  baselineTests: true,
  /** a retried attempt starts from a reset workspace (the manager within its retry budget), the discarded patch kept. */
  resetWorkspace: true,
  /** at PUSHED the manager prepares the PR request (rendered title and body, DoD) and notifies. */
  managerPrRequest: true,
  /** the Telegram approval card (title, base/head, files, body start, DoD) with approve + confirm buttons, no token. */
  telegramApprovalCard: true,
  /** the GitHub stand-in learns pushed branch heads from the fork itself. */
  standInLearnsHeads: true,
  /** a run that re-pushes to a branch with an open PR goes to CI_WAIT on its own. */
  repushToCiWait: true,
  /** `agentpr inbox --json`: what needs a human now, grouped by reason, each with its next command. */
  inbox: true,
};
const step = (ready: boolean) => (ready ? it : it.skip);
/** The runs that reach the PR gate (alpha only once the baseline spares it the pre-existing failure). */
const AT_PR_GATE = REPOS.filter((r) => r !== ALPHA || LANDED.baselineTests);

/** States in which a run waits for a person or GitHub, or is finished: the manager has nothing left to do. */
const RESTING = new Set(['PUSHED', 'CI_WAIT', 'REVIEW_WAIT', 'NEEDS_HUMAN_REVIEW', 'DONE', 'FAILED_TERMINAL', 'SKIPPED', 'PAUSED']);
const PLACEHOLDER = /(?<!\\)\{[a-z_]+\}/;

let router: ModelRouter;
let github: GitHubStub;
let fx: Fixtures;
let env: Record<string, string>;
let telegram: TelegramSession | undefined;
const prNumbers: Record<string, number> = {};

beforeAll(async () => {
  router = await startModelRouter({
    [ALPHA.runId]: ['implement'],
    [BRAVO.runId]: ['first-attempt-fails', 'implement'],
    [CHARLIE.runId]: ['implement', 'ci-fix'],
    [DELTA.runId]: ['implement'],
  });
  fx = await buildFixtures(router.url);
  // The stand-in finds the repositories in the upstream folder and learns pushed heads from the fork folder itself.
  github = await startGitHubStub({ token: GITHUB_TOKEN, upstreams: fx.upstreamDir, forks: fx.forkDir });
  env = processEnv(fx, codexBinaryPath(), github.url);
}, 60_000);

afterAll(async () => {
  await telegram?.stop();
  await github?.close();
  await router?.close();
  cleanupTempDirs();
});

const args = (...rest: string[]) => [...globalArgs(fx), ...rest];
const allResting = (states: Record<string, string>) => REPOS.every(({ runId }) => RESTING.has(states[runId] ?? ''));
const attemptsOf = (runId: string) => router.attempts.filter((a) => a.runId === runId).map((a) => a.scenario);

async function inspect(runId: string): Promise<any> {
  const result = await runCli(env, args('inspect-run', '--run-id', runId));
  expect(result.code, result.stderr).toBe(0);
  return result.json;
}

/** `agentpr inbox --json` as reason → items (run id and next command). */
async function inboxGroups(): Promise<Record<string, Array<{ run_id: string; next_command: string }>>> {
  const result = await runCli(env, args('inbox'));
  expect(result.code, result.stderr).toBe(0);
  const groups = (result.json?.groups ?? result.json?.inbox?.groups) as Array<{ reason: string; items: Array<{ run_id: string; next_command: string }> }>;
  expect(Array.isArray(groups), result.stdout.slice(0, 500)).toBe(true);
  return Object.fromEntries(groups.map((g) => [g.reason, g.items]));
}

/** The approval card the bot posted for a run, after the manager prepared its PR request. */
function cardOf(runId: string): (m: BotMessage) => boolean {
  return (m) => m.text.includes(runId) && m.buttons.some(isApprove);
}
/** The card's buttons carry an opaque card id (`card:<step>:<id>`, a = approve, c = confirm), never a token. */
const isApprove = (b: { data: string }) => /^card:a:/.test(b.data);
const isConfirm = (b: { data: string }) => /^card:c:/.test(b.data);

describe('the operator loop: four repositories in one campaign, the manager and Telegram approvals', () => {
  it('create-run queues the four runs of the campaign', async () => {
    for (const { repo, runId } of REPOS) {
      const created = await runCli(env, args('create-run', '--owner', OWNER, '--repo', repo, '--prompt-version', 'v1', '--run-id', runId, '--campaign', CAMPAIGN));
      expect(created.code, created.stderr).toBe(0);
    }
    const listed = await runCli(env, args('list-runs', '--campaign', CAMPAIGN, '--state', 'QUEUED'));
    expect(listed.json.runs.map((r: { run_id: string }) => r.run_id).sort()).toEqual(REPOS.map((r) => r.runId).sort());
    telegram = await startTelegram(env, fx);
  }, 60_000);

  it('manager ticks take every run to where it waits for a person or GitHub; charlie and delta pushed their change', async () => {
    const log = await tickUntil(env, fx, 'every run resting', allResting, { maxTicks: 8, deadlineMs: 150_000 });
    for (const { runId } of AT_PR_GATE) expect(log.states[runId], runId).toBe('PUSHED');
    // Until the baseline spares alpha its pre-existing failure, the judge escalates it (flip LANDED.baselineTests when this fails).
    if (!LANDED.baselineTests) expect(log.states[ALPHA.runId]).toBe('NEEDS_HUMAN_REVIEW');
    expect(attemptsOf(CHARLIE.runId)).toEqual(['implement']);
    expect(attemptsOf(DELTA.runId)).toEqual(['implement']);
    expect(router.unrouted).toBe(0);
  }, 180_000);

  step(LANDED.baselineTests)('alpha: the test already failing upstream is recorded by the baseline and the attempt still passes', async () => {
    const { states } = await tickUntil(env, fx, 'alpha resting', allResting, { maxTicks: 1 });
    const report = await inspect(ALPHA.runId);
    const digestFile = JSON.parse(readFileSync(report.latest_run_digest.path, 'utf8'));
    const why = JSON.stringify({ validation: digestFile.validation, classification: digestFile.classification });
    expect(states[ALPHA.runId], why).toBe('PUSHED');
    expect(report.latest_run_digest).toMatchObject({ grade: 'PASS' });
    // The digest agentpr wrote tells the failure that was there before the agent from one it caused.
    const digest = digestFile;
    // Named per test, or (node:test under codex's sandbox) the whole file with the baseline's test that fails in it.
    const failing = digest.validation.failing_tests as Array<{ name: string; excerpt: string; before_agent: boolean }>;
    expect(failing.filter((t) => t.before_agent && `${t.name}\n${t.excerpt}`.includes(ALPHA_BROKEN_TEST)), why).toHaveLength(1);
    expect(failing.filter((t) => !t.before_agent)).toEqual([]);
    expect(digest.classification.reason_code).toBe('runtime_success_pre_existing_test_failures');
    expect(attemptsOf(ALPHA.runId)).toEqual(['implement']);
  });

  step(LANDED.resetWorkspace)('bravo: the failed first attempt is retried on a reset workspace and passes', async () => {
    const { states } = await tickUntil(env, fx, 'bravo resting', allResting, { maxTicks: 1 });
    expect(states[BRAVO.runId]).toBe('PUSHED');
    expect(attemptsOf(BRAVO.runId)).toEqual(['first-attempt-fails', 'implement']);
    const report = await inspect(BRAVO.runId);
    const agentGrades = report.timing.attempts.filter((a: { step: string }) => a.step === 'agent').map((a: { grade: string }) => a.grade);
    expect(agentGrades).toEqual(['RETRYABLE', 'PASS']);
    // What the failed attempt left behind is kept as a patch (the discarded_patch artefact) before the reset.
    const patches = readdirSync(join(fx.home, 'reports')).filter((name) => name.startsWith(`${BRAVO.runId}_discarded_`));
    expect(patches).toHaveLength(1);
    expect(readFileSync(join(fx.home, 'reports', patches[0]!), 'utf8')).toContain('.map((word) => word)');
  });

  step(LANDED.managerPrRequest)('at PUSHED the manager prepares each PR request itself; /pending_pr in Telegram lists them', async () => {
    const chat = telegram!;
    const before = chat.messages().length;
    await chat.send('/pending_pr');
    const reply = await chat.waitMessage((m) => /run_opl_/.test(m.text), 'the /pending_pr reply', { after: before });
    for (const { runId } of AT_PR_GATE) expect(reply.text).toContain(runId);
  });

  step(LANDED.managerPrRequest && LANDED.inbox)('the inbox lists the PR requests to approve, each with its command (alpha\'s included: its only failure was there before the agent)', async () => {
    const pending = await runCli(env, args('pending-prs'));
    expect(pending.code, pending.stderr).toBe(0);
    for (const { runId } of AT_PR_GATE) expect(JSON.stringify(pending.json)).toContain(runId);
    const inbox = await inboxGroups();
    expect(Object.keys(inbox)).toEqual(LANDED.baselineTests ? ['pr_approval'] : ['pr_approval', 'escalation']);
    expect(inbox.pr_approval!.map((i) => i.run_id).sort()).toEqual(AT_PR_GATE.map((r) => r.runId).sort());
    if (!LANDED.baselineTests) expect(inbox.escalation!.map((i) => i.run_id)).toEqual([ALPHA.runId]);
    for (const item of inbox.pr_approval!) expect(item.next_command).toMatch(/approve/);
  });

  step(LANDED.managerPrRequest && LANDED.telegramApprovalCard && LANDED.standInLearnsHeads)(
    'the human approves each card in Telegram (approve, then confirm): the PRs open with the rendered text and the runs wait on CI',
    async () => {
      const chat = telegram!;
      for (const { repo, runId } of AT_PR_GATE) {
        const card = await chat.waitMessage(cardOf(runId), `the approval card of ${runId}`);
        expect(card.text).toContain(`feat(${repo}): add ${CAMPAIGN} integration`);
        expect(card.text).toMatch(/Base: main ← head: \S+ @ [0-9a-f]{7}/);
        expect(card.text).toMatch(/src\/title-case\.js {2}\+\d+ −0/);
        expect(card.text).toContain('DoD: passed');
        expect(card.text).not.toMatch(PLACEHOLDER);
        const before = chat.messages().length;
        await chat.tap(card.buttons.find(isApprove)!.data);
        const confirm = await chat.waitMessage((m) => m.buttons.some(isConfirm), `the confirm step of ${runId}`, { after: before });
        const after = chat.messages().length;
        await chat.tap(confirm.buttons.find(isConfirm)!.data);
        await chat.waitMessage((m) => m.text.includes(runId) && /opened|#\d+/i.test(m.text), `the PR opened reply of ${runId}`, { after });
        const [pull] = github.listPulls(OWNER, repo);
        expect(pull, `a PR on ${OWNER}/${repo}`).toBeDefined();
        prNumbers[runId] = pull!.number;
        // The rendered PR text: the campaign template filled with what the run did, never the raw template.
        expect(pull!.title).toBe(`feat(${repo}): add ${CAMPAIGN} integration`);
        expect(pull!.title).not.toBe('feat: add example integration');
        expect(pull!.body).not.toMatch(PLACEHOLDER);
        expect(pull!.body).toMatch(/## Changes\n\n- `src\/title-case\.js` \(\+\d+ −0\)/);
        expect(pull!.body).toContain('`npm test`');
        expect(pull!.body).toContain('titleCase');
      }
      const { states } = await tickUntil(env, fx, 'every PR waiting on CI', (s) => AT_PR_GATE.every(({ runId }) => s[runId] === 'CI_WAIT'), { maxTicks: 2 });
      expect(AT_PR_GATE.map(({ runId }) => states[runId])).toEqual(AT_PR_GATE.map(() => 'CI_WAIT'));
    },
    120_000,
  );

  step(LANDED.managerPrRequest && LANDED.telegramApprovalCard && LANDED.standInLearnsHeads && LANDED.repushToCiWait)(
    'charlie: a failing CI check starts a fix round (ITERATING, agent, re-push) that returns to CI_WAIT by itself',
    async () => {
      // A copy of the head: the stand-in's PR object follows the fork, and the manager's PR follow-up sweep reads it each tick.
      const before = { headSha: github.getPull(OWNER, CHARLIE.repo, prNumbers[CHARLIE.runId]!)!.headSha };
      github.addCheckRun(OWNER, CHARLIE.repo, before.headSha, {
        name: 'ci / test',
        status: 'completed',
        conclusion: 'failure',
        output: { title: 'titleCase throws on an empty word', summary: 'TypeError: Cannot read properties of undefined (reading toUpperCase)' },
      });
      await tickUntil(env, fx, 'charlie back in CI_WAIT on a new head', (s) => s[CHARLIE.runId] === 'CI_WAIT' && attemptsOf(CHARLIE.runId).length === 2, {
        maxTicks: 4,
        deadlineMs: 90_000,
      });
      expect(attemptsOf(CHARLIE.runId)).toEqual(['implement', 'ci-fix']);
      // The fix round pushed a new head to the fork; the manager's next syncs read the PR, and the stand-in (like GitHub)
      // shows the PR at the fork's new head.
      const report = await inspect(CHARLIE.runId);
      const pushes = report.events.items.filter((e: { event_type: string }) => e.event_type === 'worker.push.completed').map((e: { payload: { head_sha: string } }) => e.payload.head_sha);
      expect(pushes).toHaveLength(2);
      expect(pushes[0]).toBe(before.headSha);
      const moved = () => github.getPull(OWNER, CHARLIE.repo, prNumbers[CHARLIE.runId]!)!.headSha === pushes[1];
      await tickUntil(env, fx, `the stand-in's PR at the re-pushed head ${pushes[1]}`, moved, { maxTicks: 3 });
      // The round began with GitHub's failing check (ITERATING), as the run's events record it.
      const failed = report.events.items.find((e: { event_type: string; payload: unknown }) => /check/.test(e.event_type) && JSON.stringify(e.payload).includes('failure'));
      expect(failed, JSON.stringify(report.events.items.map((e: { event_type: string }) => e.event_type))).toBeDefined();
    },
    120_000,
  );

  step(LANDED.managerPrRequest && LANDED.telegramApprovalCard && LANDED.standInLearnsHeads)('delta: merged on GitHub, the run reaches DONE', async () => {
    github.merge(OWNER, DELTA.repo, prNumbers[DELTA.runId]!);
    const { states } = await tickUntil(env, fx, 'delta DONE', (s) => s[DELTA.runId] === 'DONE', { maxTicks: 3 });
    expect(states[DELTA.runId]).toBe('DONE');
  }, 60_000);

  step(LANDED.inbox && LANDED.managerPrRequest && LANDED.telegramApprovalCard)('the inbox at the end holds no approval, no CI red and no finished run', async () => {
    const inbox = await inboxGroups();
    expect(Object.keys(inbox)).toEqual(LANDED.baselineTests ? [] : ['escalation']);
    expect(await runStates(env, fx)).toEqual({
      [ALPHA.runId]: LANDED.baselineTests ? 'CI_WAIT' : 'NEEDS_HUMAN_REVIEW',
      [BRAVO.runId]: 'CI_WAIT',
      [CHARLIE.runId]: 'CI_WAIT',
      [DELTA.runId]: 'DONE',
    });
  });

  it('no manual git or curl: the test ran only agentpr commands, and every stand-in request came from agentpr with its token', () => {
    expect([...new Set(commandsRun)].sort()).toEqual(expect.arrayContaining(['create-run', 'list-runs', 'manager-tick']));
    for (const command of commandsRun) expect(['create-run', 'list-runs', 'manager-tick', 'inspect-run', 'inbox', 'pending-prs']).toContain(command);
    // Unauthenticated: only the startup gate's reachability probe of the API URL.
    expect(github.requests.filter((r) => !r.authorized && !(r.method === 'HEAD' && r.path === '/'))).toEqual([]);
    expect(github.requests.filter((r) => r.path.startsWith('/_stub'))).toEqual([]);
  });
});
