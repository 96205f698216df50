import type { StanceEvidence } from '@agentpr/citizenship';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { NO_GITHUB_TOKEN } from '../github-sync/require-github.js';
import type { GateRequest, GateTarget, GateVerdict } from './gate-types.js';
import { repositoryPolicy, type RepoPolicyClassification } from './repo-policy.js';

/** A GitHub failure that passes by itself: the gate holds and asks again after this long. */
const RETRY_AFTER_MS = 15 * 60_000;
const TRANSIENT: ReadonlySet<unknown> = new Set(['rate_limited', 'server', 'network']);
/** Characters of a quote shown in the one-line message (the full quotes are in the detail). */
const MESSAGE_QUOTE_CHARS = 160;

type Verdict = Omit<GateVerdict, 'gate'>;

/** The first evidence as `path: "quote"`, flattened and clipped for a one-line message. */
function quoted(evidence: readonly StanceEvidence[]): string {
  const first = evidence[0];
  if (!first) return '';
  const flat = first.quote.replace(/\s+/g, ' ').replace(/[*_`]{2,}/g, '').trim();
  const clipped = flat.length > MESSAGE_QUOTE_CHARS ? `${flat.slice(0, MESSAGE_QUOTE_CHARS - 1).trimEnd()}…` : flat;
  return ` (${first.path}: "${clipped}")`;
}

/** What the gate could not learn from GitHub, as a verdict: held when it passes by itself, blocked otherwise. */
function unavailable(error: unknown, target: GateTarget): Verdict {
  if (!(error instanceof AgentprError)) throw error;
  const where = `${target.run.owner}/${target.run.repo}`;
  if (error.code === 'not_found') return { outcome: 'blocked', reasonCode: 'repo_not_found', message: `cannot check the AI policy: ${error.message}`, detail: {} };
  const githubError = error.details.github_error;
  if (TRANSIENT.has(githubError)) {
    const freesAt = new Date(target.now.getTime() + RETRY_AFTER_MS).toISOString();
    return { outcome: 'held', reasonCode: 'github_unavailable', message: `could not read the contribution documents of ${where}: ${error.message}; asking again later`, detail: { github_error: githubError }, freesAt };
  }
  return { outcome: 'blocked', reasonCode: 'github_error', message: `could not read the contribution documents of ${where}: ${error.message}`, detail: { github_error: githubError ?? null } };
}

/** The classification as the verdict's detail: stance, quotes, documents read (no texts), when and whether reused. */
function detailOf(policy: RepoPolicyClassification, action: string, campaign: string): Record<string, unknown> {
  return {
    stance: policy.stance,
    action,
    campaign,
    evidence: policy.evidence,
    documents: policy.documents,
    agent_instruction_files: policy.agentInstructions.map((a) => a.path),
    checked_at: policy.checkedAt,
    reused: policy.cached,
  };
}

/** The campaign's action for the stance, as a verdict. */
function actionVerdict(policy: RepoPolicyClassification, target: GateTarget, request: GateRequest): Verdict {
  const { run, rules } = target;
  const where = `${run.owner}/${run.repo}`;
  const action = rules.ai_policy.actions[policy.stance];
  const detail = detailOf(policy, action, rules.campaign);
  const disclosure = rules.ai_policy.disclosure_text;
  const says = quoted(policy.evidence);
  switch (action) {
    case 'skip':
      return { outcome: 'skip_run', reasonCode: `ai_policy_${policy.stance}`, message: `${where} ${stanceWords(policy.stance)}${says}; campaign ${rules.campaign} skips it`, detail };
    case 'require_issue':
      if (run.linked_issue !== null) {
        return { outcome: 'pass', reasonCode: null, message: `${where} asks for an issue first${says}; the PR will reference #${run.linked_issue}`, detail, prBody: { disclosure, issueNumber: run.linked_issue } };
      }
      if (request.phase === 'prepare') {
        return { outcome: 'pass', reasonCode: 'ai_policy_issue_first', message: `${where} asks for an issue first${says}; link one with link-issue before the PR request`, detail, prBody: { disclosure } };
      }
      return {
        outcome: 'blocked',
        reasonCode: 'ai_policy_issue_first',
        message: `${where} wants an accepted issue before an AI-assisted PR${says}; open or find one and link it with \`agentpr link-issue --run-id ${run.run_id} --issue <number>\``,
        detail,
      };
    case 'disclose':
      return { outcome: 'pass', reasonCode: null, message: `${where}: AI stance ${policy.stance}${says}; the PR will disclose AI assistance`, detail, prBody: { disclosure } };
    case 'proceed':
      return { outcome: 'pass', reasonCode: null, message: `${where}: AI stance ${policy.stance}${says}; campaign ${rules.campaign} proceeds`, detail };
    default: {
      const never: never = action;
      return never;
    }
  }
}

function stanceWords(stance: RepoPolicyClassification['stance']): string {
  switch (stance) {
    case 'forbidden':
      return 'does not accept AI-generated contributions';
    case 'issue_first':
      return 'asks for an accepted issue before an AI-assisted PR';
    case 'disclosure_required':
      return 'asks AI-assisted PRs to disclose it';
    case 'allowed':
      return 'allows AI-assisted contributions';
    case 'unknown':
      return 'says nothing agentpr can read about AI contributions';
    default: {
      const never: never = stance;
      return never;
    }
  }
}

/**
 * The ai_policy gate: the repository's stance on AI-generated contributions (its contribution documents, classified
 * by @agentpr/citizenship, reused for the campaign's `ai_policy.recheck_hours`), then the campaign's action for it:
 * `skip` ends the run (`skip_run`, reason `ai_policy_<stance>`, quoting the sentence); `require_issue` blocks a PR
 * request without a linked issue (`ai_policy_issue_first`; at prepare it passes with a note) and otherwise passes with
 * the disclosure and the issue for the PR body; `disclose` passes with the disclosure; `proceed` passes. An upstream
 * that is not on GitHub passes (`not_on_github`); no token blocks with the hint; a GitHub outage holds.
 */
export async function checkAiPolicy(ctx: AppContext, target: GateTarget, request: GateRequest): Promise<GateVerdict> {
  return { gate: 'ai_policy', ...(await aiPolicyVerdict(ctx, target, request)) };
}

async function aiPolicyVerdict(ctx: AppContext, target: GateTarget, request: GateRequest): Promise<Verdict> {
  const { run, rules } = target;
  if (target.notOnGitHub !== null) {
    return { outcome: 'pass', reasonCode: 'not_on_github', message: `not on GitHub (${target.notOnGitHub}): no AI policy to read`, detail: { not_on_github: target.notOnGitHub } };
  }
  if (!target.github) return { outcome: 'blocked', reasonCode: 'no_github_token', message: `cannot read the AI policy of ${run.owner}/${run.repo}: ${NO_GITHUB_TOKEN}`, detail: {} };
  let policy: RepoPolicyClassification;
  try {
    const ref = { owner: run.owner, repo: run.repo };
    policy = await repositoryPolicy({ ...ctx, clock: () => target.now }, target.github, ref, { recheckHours: rules.ai_policy.recheck_hours });
  } catch (error) {
    return unavailable(error, target);
  }
  return actionVerdict(policy, target, request);
}
