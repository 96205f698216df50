import * as v from 'valibot';
import type { RunState } from '@agentpr/state-machine';
import { addAuditRecord, requireRun, setLinkedIssue } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { githubFailure, requireGitHub } from '../github-sync/require-github.js';
import { oneLine } from '../pr-gate/markdown-text.js';

/** The input of {@link linkIssue} (the `link-issue` flags): exactly one of `issue` and `clear`. */
export interface LinkIssueInput {
  runId: string;
  /** The upstream issue number to tie the run to. */
  issue?: number | undefined;
  /** Untie the run from its issue instead. */
  clear?: boolean | undefined;
}

/** The issue a run is tied to, as GitHub showed it when it was linked (its title is hostile text: one line, capped). */
export interface LinkedIssue {
  number: number;
  title: string;
  state: 'open' | 'closed';
  html_url: string;
}

/** What link-issue did: tied the run to an issue it checked on GitHub, or untied it. */
export type LinkIssueResult =
  | { kind: 'linked'; run_id: string; owner: string; repo: string; issue: LinkedIssue; previous: number | null; state: RunState }
  | { kind: 'cleared'; run_id: string; owner: string; repo: string; previous: number | null; state: RunState };

/** The most characters of an issue title kept. */
const MAX_TITLE_CHARS = 200;

/** An issue number as GitHub gives them: a positive integer that fits GitHub's 32-bit ids. */
const IssueNumberSchema = v.pipe(
  v.number('must be a number'),
  v.safeInteger('must be a whole number'),
  v.minValue(1, 'must be a positive issue number'),
  v.maxValue(2 ** 31 - 1, 'is too large for an issue number'),
);

/** The input checked at the edge: one line naming what is wrong, before anything is read or changed. */
function parseInput(input: LinkIssueInput): { runId: string; issue: number | null } {
  const runId = input.runId.trim();
  if (runId === '') throw new AgentprError('usage', '--run-id is required.');
  if (input.issue !== undefined && input.clear === true) throw new AgentprError('usage', 'pass either --issue N or --clear, not both.');
  if (input.clear === true) return { runId, issue: null };
  if (input.issue === undefined) throw new AgentprError('usage', 'pass --issue N (the upstream issue to link) or --clear (to unlink it).');
  const parsed = v.safeParse(IssueNumberSchema, input.issue);
  if (!parsed.success) throw new AgentprError('usage', `--issue ${parsed.issues[0].message} (got ${String(input.issue)}).`);
  return { runId, issue: parsed.output };
}

/** The issue on GitHub, checked: it exists in the run's upstream repository and is an issue, not a pull request. */
async function checkedIssue(ctx: AppContext, owner: string, repo: string, number: number): Promise<LinkedIssue> {
  const github = await requireGitHub(ctx);
  if (!github.getIssue) throw new AgentprError('config', 'this GitHub client cannot read issues (getIssue); link-issue needs it.');
  const found = await github.getIssue({ owner, repo }, number).catch((error: unknown) => {
    throw githubFailure(error);
  });
  if (!found) throw new AgentprError('not_found', `issue #${number} not found in ${owner}/${repo}; check the number on GitHub (the run's upstream repository).`);
  if (found.isPullRequest) throw new AgentprError('refused', `#${number} in ${owner}/${repo} is a pull request, not an issue; link the issue the change resolves.`);
  const title = oneLine(found.title);
  return { number, title: title.length > MAX_TITLE_CHARS ? `${title.slice(0, MAX_TITLE_CHARS - 1)}…` : title, state: found.state, html_url: found.htmlUrl };
}

/**
 * link-issue: ties a run to an issue of its upstream repository (`runs.linked_issue`), after checking on GitHub that
 * the issue exists there and is not a pull request (open or closed both count); or unties it with `clear`. A
 * repository that wants an issue first (the AI-policy gate's `issue_first`) lets the PR request through once the run
 * has one, and the PR body then says `Closes #N`. Audited (`issue_linked` / `issue_unlinked`). Bad input, an unknown
 * run, a missing token, an unknown issue or a pull request number change nothing.
 *
 * @example
 * const linked = await linkIssue(ctx, { runId: 'run_1', issue: 12 });
 * console.log(linked.kind === 'linked' && linked.issue.html_url);
 */
export async function linkIssue(ctx: AppContext, input: LinkIssueInput): Promise<LinkIssueResult> {
  const { runId, issue } = parseInput(input);
  const { run, state } = await requireRun(ctx.db, runId);
  const base = { run_id: run.run_id, owner: run.owner, repo: run.repo, state: state.current_state };
  if (issue === null) {
    const { previous } = await setLinkedIssue(ctx.db, run.run_id, null, ctx.clock);
    await addAuditRecord(ctx.db, { kind: 'issue_unlinked', runId: run.run_id, actor: ctx.actor, detail: { previous } }, ctx.clock);
    return { kind: 'cleared', ...base, previous };
  }
  const linked = await checkedIssue(ctx, run.owner, run.repo, issue);
  const { previous } = await setLinkedIssue(ctx.db, run.run_id, issue, ctx.clock);
  await addAuditRecord(ctx.db, { kind: 'issue_linked', runId: run.run_id, actor: ctx.actor, detail: { issue, previous, html_url: linked.html_url } }, ctx.clock);
  return { kind: 'linked', ...base, issue: linked, previous };
}
