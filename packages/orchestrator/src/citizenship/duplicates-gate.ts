import {
  describeMatch,
  duplicateQueries,
  duplicateTerms,
  isOwnBranch,
  matchBranches,
  matchSearchItems,
  type DuplicateMatch,
  type OwnBranches,
} from '@agentpr/citizenship';
import { GitHubError, type GitHubClient, type IssueSearchItem, type RepoRef } from '@agentpr/github';
import { latestArtifact, listGateChecks } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { NO_GITHUB_TOKEN } from '../github-sync/require-github.js';
import { campaignFor, preparedWorkspace } from '../workspace/workspace-shared.js';
import type { GateRequest, GateTarget, GateVerdict } from './gate-types.js';

/** Hits read per search (one page). */
const SEARCH_PAGE = 50;
/** Branches read from the repository. */
const BRANCH_LIMIT = 1000;
/** PR hits whose head branch is looked up (to tell the run's own PR); the rest count as they are. */
const HEAD_LOOKUPS = 10;
/** Matches kept as evidence in one verdict. */
const EVIDENCE_MAX = 20;
/** How long a verdict held for an unreachable GitHub waits before the run is asked about again. */
const RETRY_AFTER_MS = 15 * 60_000;
/** GitHub failures that pass by themselves (the run is held); any other failure needs a human (blocked). */
const TRANSIENT: ReadonlySet<string> = new Set(['rate_limited', 'server', 'network']);

type Verdict = Omit<GateVerdict, 'gate'>;

/** A match as stored in the verdict's detail (JSON, snake_case like the rest of the evidence). */
function evidence(m: DuplicateMatch): Record<string, unknown> {
  return { kind: m.kind, url: m.url, title: m.title, state: m.state, number: m.number, matched: m.matched, closed_at: m.closedAt };
}

/** The URLs an earlier `overridden` duplicates verdict of this run let through: approving a known duplicate once is enough. */
async function overriddenUrls(ctx: Pick<AppContext, 'db'>, runId: string): Promise<Set<string>> {
  const urls = new Set<string>();
  for (const row of await listGateChecks(ctx.db, runId, { gate: 'duplicates', limit: 200 })) {
    if (row.outcome !== 'overridden') continue;
    let detail: unknown;
    try {
      detail = JSON.parse(row.detail_json);
    } catch {
      continue;
    }
    const matches = (detail as { matches?: unknown }).matches;
    if (!Array.isArray(matches)) continue;
    for (const m of matches) if (m && typeof (m as { url?: unknown }).url === 'string') urls.add((m as { url: string }).url);
  }
  return urls;
}

/** The run's own branches: the one run-prepare made and the ones it pushed. */
async function ownBranches(ctx: Pick<AppContext, 'db'>, runId: string): Promise<OwnBranches> {
  const prepared = await preparedWorkspace(ctx.db, runId);
  const pushed = (await latestArtifact(ctx.db, runId, 'branch'))?.uri;
  return { runId, branches: [prepared?.feature_branch, pushed].filter((b): b is string => typeof b === 'string' && b !== '') };
}

/** A GitHub failure as a verdict: held when it passes by itself, blocked otherwise; anything else is a bug and throws. */
function failed(error: unknown, target: GateTarget, what: string): Verdict {
  if (!(error instanceof GitHubError)) throw error;
  const where = `${target.run.owner}/${target.run.repo}`;
  if (TRANSIENT.has(error.code)) {
    const freesAt = new Date(target.now.getTime() + RETRY_AFTER_MS).toISOString();
    return { outcome: 'held', reasonCode: 'github_unavailable', message: `could not ${what} ${where} for duplicates: ${error.message}; asking again later`, detail: { github_error: error.code }, freesAt };
  }
  return { outcome: 'blocked', reasonCode: 'github_error', message: `could not ${what} ${where} for duplicates: ${error.message}`, detail: { github_error: error.code } };
}

/** Drops PR hits whose head branch is the run's own (a PR the run opened but has not linked yet). */
async function withoutOwnPulls(github: GitHubClient, repo: RepoRef, matches: DuplicateMatch[], own: OwnBranches): Promise<DuplicateMatch[]> {
  if (own.branches.length === 0) return matches;
  const kept: DuplicateMatch[] = [];
  let lookups = 0;
  for (const m of matches) {
    if (m.kind === 'pr' && m.number !== null && lookups < HEAD_LOOKUPS) {
      lookups++;
      const head = await github.getPullRequest(repo, m.number).then(
        (pr) => pr.headRef,
        () => null,
      );
      if (head !== null && isOwnBranch(head, own)) continue;
    }
    kept.push(m);
  }
  return kept;
}

/** Everything the searches found: PRs and issues, then branches. */
async function search(
  ctx: AppContext,
  github: GitHubClient,
  target: GateTarget,
  terms: readonly string[],
  queries: readonly string[],
): Promise<DuplicateMatch[] | Verdict> {
  const { run, rules, now } = target;
  const repo: RepoRef = { owner: run.owner, repo: run.repo };
  const items: IssueSearchItem[] = [];
  for (const q of queries) {
    try {
      items.push(...(await github.searchIssues!(q, { perPage: SEARCH_PAGE })).items);
    } catch (error) {
      return failed(error, target, 'search');
    }
  }
  const own = await ownBranches(ctx, run.run_id);
  const ownPrNumbers = run.pr_number === null ? [] : [Number(run.pr_number)];
  let matches = matchSearchItems(items, { terms, now, closedWithinDays: rules.duplicates.closed_within_days, ownPrNumbers });
  matches = await withoutOwnPulls(github, repo, matches, own);
  if (!rules.duplicates.search_branches) return matches;
  try {
    const branches = await github.listBranches!(repo, { limit: BRANCH_LIMIT });
    const branchPrefix = (await campaignFor(ctx)).branch_prefix;
    const options = { terms, own, branchPrefix, repoHtmlUrl: `https://github.com/${run.owner}/${run.repo}` };
    let found = matchBranches(branches, options);
    if (found.length > 0 && github.getRepository) {
      // The branch's link on the repository's own web host (GitHub Enterprise, the stand-in), when GitHub says it.
      const htmlUrl = await github.getRepository(repo).then((r) => r.htmlUrl, () => '');
      if (htmlUrl) found = matchBranches(branches, { ...options, repoHtmlUrl: htmlUrl });
    }
    return [...matches, ...found];
  } catch (error) {
    return failed(error, target, 'list the branches of');
  }
}

/** The verdict on what was found: blocked, overridden (audited by the caller), or pass when nothing new was found. */
function decide(target: GateTarget, request: GateRequest, matches: DuplicateMatch[], covered: Set<string>, base: Record<string, unknown>): Verdict {
  const where = `${target.run.owner}/${target.run.repo}`;
  const fresh = matches.filter((m) => !covered.has(m.url));
  const known = matches.filter((m) => covered.has(m.url));
  const shown = fresh.slice(0, EVIDENCE_MAX).map(evidence);
  const detail = { ...base, match_count: fresh.length, matches: shown, covered: known.slice(0, EVIDENCE_MAX).map(evidence) };
  if (fresh.length === 0) {
    if (known.length > 0) {
      const message = `no new duplicate in ${where}; ${known.length} found before were let through with --allow-duplicate`;
      return { outcome: 'pass', reasonCode: 'duplicate_overridden_before', message, detail };
    }
    return { outcome: 'pass', reasonCode: null, message: `no duplicate found in ${where}`, detail };
  }
  const first = fresh[0]!;
  const one = fresh.length === 1;
  const count = one ? 'a possible duplicate' : `${fresh.length} possible duplicates`;
  const named = `${describeMatch(first)} (${first.url})${one ? '' : ` and ${fresh.length - 1} more`}`;
  if (request.allowDuplicate) {
    return { outcome: 'overridden', reasonCode: 'duplicate_found', message: `${count} in ${where} let through with --allow-duplicate: ${named}`, detail };
  }
  const message = `${count} in ${where}: ${named}; check ${one ? 'it' : 'them'}, then pass --allow-duplicate to go ahead anyway`;
  return { outcome: 'blocked', reasonCode: 'duplicate_found', message, detail };
}

/**
 * The duplicates gate (phases `prepare` and `pr_request`): searches the target repository for the same change
 * (open and recently closed PRs and issues by the campaign's keywords and integration name, and its branches) and
 * blocks the run on a match, with the links as evidence. `--allow-duplicate` overrides (the caller audits it), and
 * that override covers those matches in later checks of the run; a new match still blocks. Off
 * (`duplicates.enabled: false`), not on GitHub, or no terms to search for: pass, saying why. No token: blocked with
 * the hint; GitHub unreachable: held until it can be asked again.
 *
 * @example
 * const verdict = await checkDuplicates(ctx, target, { runId, phase: 'pr_request', allowDuplicate: false });
 */
export async function checkDuplicates(ctx: AppContext, target: GateTarget, request: GateRequest): Promise<GateVerdict> {
  return { gate: 'duplicates', ...(await duplicatesVerdict(ctx, target, request)) };
}

async function duplicatesVerdict(ctx: AppContext, target: GateTarget, request: GateRequest): Promise<Verdict> {
  const { run, rules, now } = target;
  const where = `${run.owner}/${run.repo}`;
  if (!rules.duplicates.enabled) {
    return { outcome: 'pass', reasonCode: 'disabled', message: `duplicate search is off for campaign ${rules.campaign} (duplicates.enabled: false)`, detail: {} };
  }
  if (target.notOnGitHub !== null) {
    return { outcome: 'pass', reasonCode: 'not_on_github', message: `not on GitHub (${target.notOnGitHub}): no duplicate search`, detail: { not_on_github: target.notOnGitHub } };
  }
  const terms = duplicateTerms(rules.duplicates, run.campaign ?? rules.campaign);
  if (terms.source === 'none') return { outcome: 'pass', reasonCode: 'no_search_terms', message: `no duplicate search in ${where}: ${terms.note}`, detail: { terms_note: terms.note } };
  const github = target.github;
  if (!github) return { outcome: 'blocked', reasonCode: 'no_github_token', message: `cannot search ${where} for duplicates: ${NO_GITHUB_TOKEN}`, detail: {} };
  if (!github.searchIssues || (rules.duplicates.search_branches && !github.listBranches)) {
    return { outcome: 'blocked', reasonCode: 'github_unavailable', message: `cannot search ${where} for duplicates: the GitHub client has no search or branch listing`, detail: {} };
  }
  const closedWindow = { now, closedWithinDays: rules.duplicates.closed_within_days };
  const queries = duplicateQueries({ owner: run.owner, repo: run.repo }, terms.terms, closedWindow).map((q) => q.q);
  const found = await search(ctx, github, target, terms.terms, queries);
  const base = { terms: terms.terms, terms_source: terms.source, terms_note: terms.note, queries, branches_searched: rules.duplicates.search_branches };
  if (!Array.isArray(found)) return { ...found, detail: { ...base, ...found.detail } };
  return decide(target, request, found, await overriddenUrls(ctx, run.run_id), base);
}
