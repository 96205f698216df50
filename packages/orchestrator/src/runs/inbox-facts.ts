import * as v from 'valibot';
import { latestArtifact, listEvents } from '@agentpr/store';
import { readAgentFile } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { boundedCheckNames, failingCheckNames } from '../github-sync/failing-checks.js';

/** A test the run's latest digest names as failing; `before_agent` when it already failed on the untouched base. */
export interface InboxFailingTest {
  name: string;
  excerpt: string | null;
  before_agent: boolean | null;
}

/**
 * The GitHub verdict on the run's latest push: a failed CI roll-up, a review requesting changes, or nothing.
 * `failing_checks` is what the verdict recorded, or null when it recorded no names (an older event, a check suite).
 */
export type GitHubFact =
  | { kind: 'ci_red'; pr_number: number | null; head_sha: string | null; failing_checks: string[] | null }
  | { kind: 'changes_requested'; pr_number: number | null }
  | { kind: 'none' };

const MAX_DIGEST_BYTES = 4 * 1024 * 1024;
const MAX_FAILING_TESTS = 5;
const MAX_EXCERPT = 400;

const FailingTestsSchema = v.object({
  validation: v.object({
    failing_tests: v.array(
      v.looseObject({ name: v.string(), excerpt: v.optional(v.nullable(v.string())), before_agent: v.optional(v.nullable(v.boolean())) }),
    ),
  }),
});

const CheckNamesSchema = v.union([v.object({ failing_checks: v.array(v.unknown()) }), v.object({ check_name: v.string() })]);

/** The names a verdict event recorded, cleaned and bounded again on the way out; null when it recorded none. */
function checkNames(payload: unknown): string[] | null {
  const parsed = v.safeParse(CheckNamesSchema, payload);
  if (!parsed.success) return null;
  const names = boundedCheckNames('failing_checks' in parsed.output ? parsed.output.failing_checks : [parsed.output.check_name]);
  return names.length > 0 ? names : null;
}

/**
 * What GitHub said since the run's latest push, newest first: a failed check roll-up (with the failing checks'
 * names when the event recorded them) or a review requesting changes. An older verdict about an earlier push
 * does not count.
 */
export async function latestGitHubFact(ctx: AppContext, runId: string): Promise<GitHubFact> {
  for (const event of await listEvents(ctx.db, runId, { limit: 50 })) {
    const p = event.payload;
    if (event.event_type === 'worker.push.completed') return { kind: 'none' };
    const pr = typeof p.pr_number === 'number' ? p.pr_number : null;
    if (event.event_type === 'github.check.completed') {
      const conclusion = String(p.conclusion ?? '').toLowerCase();
      if (['success', 'neutral', 'skipped'].includes(conclusion)) return { kind: 'none' };
      if (conclusion === 'failure' || conclusion === 'timed_out' || conclusion === 'cancelled' || conclusion === 'action_required') {
        return { kind: 'ci_red', pr_number: pr, head_sha: typeof p.head_sha === 'string' ? p.head_sha : null, failing_checks: checkNames(p) };
      }
    }
    if (event.event_type === 'github.review.submitted' && String(p.state ?? '').toLowerCase() === 'changes_requested') return { kind: 'changes_requested', pr_number: pr };
  }
  return { kind: 'none' };
}

/**
 * The failing checks of a commit as GitHub lists them now (cleaned and bounded like recorded names), when a GitHub
 * client is configured; empty when there is none or GitHub cannot be asked (the inbox then says the names are unknown).
 */
export async function failingChecksOnGitHub(ctx: AppContext, repo: { owner: string; repo: string }, headSha: string): Promise<string[]> {
  try {
    const github = await ctx.github.client();
    if (!github) return [];
    return failingCheckNames(await github.listChecksForRef(repo, headSha));
  } catch {
    return [];
  }
}

/**
 * The failing tests the run's latest digest names (`validation.failing_tests`), at most five, excerpts cut; empty
 * when the digest has none, predates the field, or cannot be read. The digest is read only from the reports
 * directory, without following symlinks.
 */
export async function failingTests(ctx: AppContext, runId: string): Promise<InboxFailingTest[]> {
  const artifact = await latestArtifact(ctx.db, runId, 'run_digest');
  if (!artifact?.uri) return [];
  const read = await readAgentFile(artifact.uri, { maxBytes: MAX_DIGEST_BYTES, within: ctx.paths.reportsDir });
  if (!read.ok || read.truncated) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(read.data.toString('utf8'));
  } catch {
    return [];
  }
  const parsed = v.safeParse(FailingTestsSchema, raw);
  if (!parsed.success) return [];
  return parsed.output.validation.failing_tests.slice(0, MAX_FAILING_TESTS).map((t) => ({
    name: t.name,
    excerpt: t.excerpt ? (t.excerpt.length > MAX_EXCERPT ? `${t.excerpt.slice(0, MAX_EXCERPT - 1)}…` : t.excerpt) : null,
    before_agent: t.before_agent ?? null,
  }));
}
