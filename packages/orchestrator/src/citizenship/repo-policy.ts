import * as v from 'valibot';
import {
  canReadContents,
  capUtf8,
  classifyAiStance,
  fetchContributionDocuments,
  type ContributionDocument,
  type ContributionDocumentKind,
  type StanceEvidence,
} from '@agentpr/citizenship';
import type { GitHubClient, RepoRef } from '@agentpr/github';
import { AI_STANCES, effectiveCampaignRules, loadPolicy, type AiPolicyAction, type AiStance } from '@agentpr/policy';
import { insertRepoPolicyCheck, latestRepoPolicyCheck } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { githubFailure, requireGitHub } from '../github-sync/require-github.js';
import { policyError } from '../policy-error.js';
import { CampaignNameSchema, resolveCampaigns } from '../runs/campaigns.js';
import { formatIssues, NAME_MAX_LENGTH, NAME_PATTERN } from '../runs/create-run.js';
import { campaignFor } from '../workspace/workspace-shared.js';

/** A document read for a classification, without its text. */
export interface RepoPolicyDocument {
  path: string;
  kind: ContributionDocumentKind;
  sha: string;
  bytes: number;
  truncated: boolean;
}

/** An agent instruction file's text (AGENTS.md, CLAUDE.md, …), capped: the repository's own rules for coding agents. */
export interface AgentInstructionText {
  path: string;
  text: string;
  truncated: boolean;
}

/** A repository's classification, fresh or reused. */
export interface RepoPolicyClassification {
  owner: string;
  repo: string;
  stance: AiStance;
  evidence: StanceEvidence[];
  documents: RepoPolicyDocument[];
  /** The agent instruction files' texts, at most {@link AGENT_TEXT_MAX_BYTES} each and {@link AGENT_TEXTS_MAX_BYTES} together. */
  agentInstructions: AgentInstructionText[];
  /** Contribution documents found but not read this time (not text, not a regular file, over a cap); empty when reused. */
  unread: Array<{ path: string; reason: string }>;
  /** When the documents were read (ISO 8601). */
  checkedAt: string;
  /** True when a stored classification younger than the recheck interval was reused. */
  cached: boolean;
}

/** Bytes kept of one agent instruction file for the agent. */
export const AGENT_TEXT_MAX_BYTES = 16 * 1024;
/** Bytes kept of all agent instruction files for the agent. */
export const AGENT_TEXTS_MAX_BYTES = 32 * 1024;

const HOUR_MS = 3_600_000;

const evidenceSchema = v.array(v.object({ path: v.string(), quote: v.string(), rule: v.string() }));
const KINDS = ['contributing', 'agent_instructions', 'pr_template', 'code_of_conduct', 'ai_policy'] as const;
const documentsSchema = v.array(
  v.object({
    path: v.string(),
    kind: v.picklist(KINDS),
    sha: v.string(),
    bytes: v.number(),
    truncated: v.optional(v.boolean(), false),
    agent_text: v.optional(v.string()),
  }),
);

/** The agent instruction texts to hand to the agent, capped one by one and together. */
function agentTexts(documents: readonly ContributionDocument[]): AgentInstructionText[] {
  let budget = AGENT_TEXTS_MAX_BYTES;
  const out: AgentInstructionText[] = [];
  for (const d of documents) {
    if (d.kind !== 'agent_instructions' || budget <= 0) continue;
    const capped = capUtf8(d.text, Math.min(AGENT_TEXT_MAX_BYTES, budget));
    budget -= Buffer.byteLength(capped.text, 'utf8');
    out.push({ path: d.path, text: capped.text, truncated: capped.truncated || d.truncated });
  }
  return out;
}

/** A stored classification, when its JSON still has the shape this version writes; else undefined (read again). */
async function stored(ctx: Pick<AppContext, 'db' | 'log'>, ref: RepoRef): Promise<RepoPolicyClassification | undefined> {
  const row = await latestRepoPolicyCheck(ctx.db, ref.owner, ref.repo);
  if (!row) return undefined;
  const evidence = v.safeParse(evidenceSchema, row.evidence);
  const documents = v.safeParse(documentsSchema, row.documents);
  if (!evidence.success || !documents.success || !(AI_STANCES as readonly string[]).includes(row.stance)) {
    ctx.log.warn('stored repository policy check has an unexpected shape; reading the documents again', { owner: ref.owner, repo: ref.repo, id: row.id });
    return undefined;
  }
  const docs = documents.output;
  return {
    owner: row.owner,
    repo: row.repo,
    stance: row.stance as AiStance,
    evidence: evidence.output,
    documents: docs.map(({ path, kind, sha, bytes, truncated }) => ({ path, kind, sha, bytes, truncated })),
    agentInstructions: docs.flatMap((d) => (d.agent_text !== undefined ? [{ path: d.path, text: d.agent_text, truncated: d.truncated }] : [])),
    unread: [],
    checkedAt: row.checkedAt,
    cached: true,
  };
}

/**
 * The stance of `owner/repo` on AI-generated contributions: a stored classification younger than `recheckHours`
 * (unless `refresh`, or `recheckHours` is 0), else the contribution documents read through `github`, classified and
 * stored in `repo_policy_checks`. The agent instruction texts are stored with it (capped), so a reused
 * classification still hands them on. Throws `not_found` for a repository GitHub does not know (or an empty one),
 * `external_failed` for a GitHub failure or a client that cannot read contents.
 */
export async function repositoryPolicy(
  ctx: Pick<AppContext, 'db' | 'log' | 'clock'>,
  github: GitHubClient,
  ref: RepoRef,
  options: { recheckHours: number; refresh?: boolean | undefined },
): Promise<RepoPolicyClassification> {
  if (!options.refresh && options.recheckHours > 0) {
    const reused = await stored(ctx, ref);
    if (reused && ctx.clock().getTime() - Date.parse(reused.checkedAt) < options.recheckHours * HOUR_MS) return reused;
  }
  if (!canReadContents(github)) {
    throw new AgentprError('external_failed', 'the GitHub client cannot read repository contents (getFile/listDirectory); agentpr cannot check the AI policy');
  }
  let fetched;
  try {
    fetched = await fetchContributionDocuments(github, ref);
  } catch (error) {
    throw githubFailure(error);
  }
  if (!fetched.found) {
    const where = `${ref.owner}/${ref.repo}`;
    throw new AgentprError('not_found', `repository ${where} was not found on GitHub (or it is empty); check the owner and repository names`);
  }
  const classified = classifyAiStance(fetched.documents);
  const agentInstructions = agentTexts(fetched.documents);
  const documents = fetched.documents.map(({ path, kind, sha, bytes, truncated }) => ({ path, kind, sha, bytes, truncated }));
  const texts = new Map(agentInstructions.map((a) => [a.path, a.text]));
  await insertRepoPolicyCheck(
    ctx.db,
    {
      owner: ref.owner,
      repo: ref.repo,
      stance: classified.stance,
      evidence: classified.evidence,
      documents: documents.map((d) => ({ ...d, ...(texts.has(d.path) ? { agent_text: texts.get(d.path) } : {}) })),
    },
    ctx.clock,
  );
  const { stance, evidence } = classified;
  const unread = fetched.skipped.filter((d) => d.reason !== 'absent').map(({ path, reason }) => ({ path, reason }));
  return { ...ref, stance, evidence, documents, agentInstructions, unread, checkedAt: ctx.clock().toISOString(), cached: false };
}

function githubName(max: number) {
  return v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.nonEmpty('is required'),
    v.maxLength(max, `must be at most ${max} characters (GitHub's limit)`),
    v.regex(NAME_PATTERN, 'must contain only letters, digits, _ . - (no / or spaces)'),
    v.check((name) => !/^\.+$/.test(name), 'must not be made only of dots'),
  );
}

/** The input of {@link checkRepoPolicy}, as the CLI gives it. */
export const RepoPolicyInputSchema = v.object({
  owner: githubName(NAME_MAX_LENGTH.owner),
  repo: githubName(NAME_MAX_LENGTH.repo),
  refresh: v.optional(v.boolean('must be true or false')),
  /** The campaign whose action to report; default: the campaign folder in use. */
  campaign: v.optional(CampaignNameSchema),
});
export type RepoPolicyInput = v.InferInput<typeof RepoPolicyInputSchema>;

/** What `agentpr repo-policy` reports: the classification and what the campaign would do about it. */
export type RepoPolicyResult = Omit<RepoPolicyClassification, 'cached'> & {
  /** `classified`: the documents were read now; `reused`: a stored classification younger than `recheck_hours`. */
  kind: 'classified' | 'reused';
  campaign: string;
  /** The campaign's action for the stance (`ai_policy.actions`). */
  action: AiPolicyAction;
  /** The disclosure a PR would carry (action `disclose` or `require_issue`), else null. */
  disclosure: string | null;
  recheckHours: number;
};

/**
 * `agentpr repo-policy`: reads `owner/repo`'s contribution documents through the GitHub port (or reuses a stored
 * classification younger than the campaign's `ai_policy.recheck_hours`, unless `refresh`), classifies its stance on
 * AI-generated contributions, stores it, and says what the campaign (default: the campaign folder in use) would do.
 * Bad input is `invalid_input` and changes nothing; no GitHub token is `config` with the hint; an unknown campaign
 * is `invalid_input` naming the known ones.
 *
 * @example
 * const r = await checkRepoPolicy(ctx, { owner: 'acme', repo: 'widgets' });
 * // → { kind: 'classified', stance: 'disclosure_required', action: 'disclose', evidence: [{ path, quote, rule }], … }
 */
export async function checkRepoPolicy(ctx: AppContext, input: RepoPolicyInput): Promise<RepoPolicyResult> {
  const parsed = v.safeParse(RepoPolicyInputSchema, input);
  if (!parsed.success) throw new AgentprError('invalid_input', `invalid repo-policy input: ${formatIssues(parsed.issues)}`);
  const { owner, repo, refresh, campaign: named } = parsed.output;
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const campaign = named === undefined ? (await campaignFor(ctx)).name : ((await resolveCampaigns(ctx, [named])).get(named) ?? named);
  const rules = effectiveCampaignRules(loaded.policy, { campaign, owner, repo });
  const github = await requireGitHub(ctx);
  const { cached, ...classification } = await repositoryPolicy(ctx, github, { owner, repo }, { recheckHours: rules.ai_policy.recheck_hours, refresh });
  const action = rules.ai_policy.actions[classification.stance];
  const disclosure = action === 'disclose' || action === 'require_issue' ? rules.ai_policy.disclosure_text : null;
  return { kind: cached ? 'reused' : 'classified', ...classification, campaign, action, disclosure, recheckHours: rules.ai_policy.recheck_hours };
}
