import * as v from 'valibot';
import type { InspectRunResult } from '@agentpr/reports';
import { parseHeldFacts } from '@agentpr/state-machine';
import type { LeaseRow, PrRequestRow, StoredEvent } from '@agentpr/store';
import { readAgentFile } from '@agentpr/workspace';
import { githubPrUrl, shown } from './run-text.js';

/** The run's PR as the header shows it: its number and GitHub link, its title, CI on the latest push, the latest review. */
export interface RunPrView {
  /** Null while the PR is only requested (a PR request waits for approval, or was approved and not linked yet). */
  number: number | null;
  /** The PR on GitHub; null without a number or when the repository's names are not valid GitHub names. */
  url: string | null;
  /** The title of the run's newest PR request (shown safely; null when agentpr did not write one). */
  title: string | null;
  checks: { conclusion: string; red: boolean; failing: string[] | null; at: string } | null;
  /** The newest review verdict GitHub sent (`approved`, `changes_requested`, `commented`), or the one a hold kept. */
  review: { state: string; at: string | null } | null;
}

/** Who holds the run's lease and until when; null when the run is free (no lease, or it expired). */
export interface LeaseView {
  holder: string;
  expiresAt: string;
}

/** Diff stats of the latest agent attempt: files changed, lines inserted and deleted, the first changed paths. */
export interface DiffStats {
  files: number;
  insertions: number;
  deletions: number;
  paths: string[];
}

const TITLE_CHARS = 300;
const MAX_PATHS = 20;

/** The lease when it still holds at `now`. */
export function leaseView(lease: LeaseRow | undefined, now: Date): LeaseView | null {
  if (!lease || Date.parse(lease.expires_at) <= now.getTime()) return null;
  return { holder: lease.holder.slice(0, 200), expiresAt: lease.expires_at };
}

/** The newest review among `events` (newest first), else the review a hold kept back. */
function latestReview(events: readonly StoredEvent[], heldFactsJson: string | null): RunPrView['review'] {
  const event = events.find((e) => e.event_type === 'github.review.submitted' && typeof e.payload.state === 'string');
  if (event) return { state: String(event.payload.state).toLowerCase().slice(0, 40), at: event.created_at };
  const held = parseHeldFacts(heldFactsJson)?.review;
  return held ? { state: held, at: null } : null;
}

/** The PR facts of a run with a PR or a PR request; null with neither. `events` are newest first. */
export function prView(
  run: { owner: string; repo: string; pr_number: number | null },
  inspect: Pick<InspectRunResult, 'latest_ci'>,
  request: PrRequestRow | undefined,
  events: readonly StoredEvent[],
  heldFactsJson: string | null,
  redact: (text: string) => string,
): RunPrView | null {
  if (run.pr_number === null && !request) return null;
  const ci = inspect.latest_ci;
  return {
    number: run.pr_number,
    url: githubPrUrl(run.owner, run.repo, run.pr_number),
    title: request ? shown(redact, request.title, { max: TITLE_CHARS }) : null,
    checks: ci
      ? { conclusion: ci.conclusion.slice(0, 40), red: ci.red, failing: ci.failing_checks?.map((n) => shown(redact, n, { max: 200 })) ?? null, at: ci.at }
      : null,
    review: latestReview(events, heldFactsJson),
  };
}

const DiffSchema = v.looseObject({
  changed_files: v.optional(v.array(v.unknown()), []),
  changed_files_count: v.pipe(v.number(), v.integer(), v.minValue(0)),
  untracked_files_count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  added_lines: v.pipe(v.number(), v.integer(), v.minValue(0)),
  deleted_lines: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/**
 * Diff stats from the latest runtime report's `signals.diff` (the workspace's `DiffSummary`, measured after the
 * attempt): files changed (tracked and untracked), insertions and deletions. Null when the report has none.
 */
export function diffStats(runtime: InspectRunResult['latest_agent_runtime'], redact: (text: string) => string): DiffStats | null {
  const parsed = v.safeParse(DiffSchema, runtime?.diff);
  if (!parsed.success) return null;
  const d = parsed.output;
  const paths = d.changed_files.filter((p): p is string => typeof p === 'string').slice(0, MAX_PATHS);
  return {
    files: d.changed_files_count + d.untracked_files_count,
    insertions: d.added_lines,
    deletions: d.deleted_lines,
    paths: paths.map((p) => shown(redact, p, { max: 200 })),
  };
}

/** The most of a report file shown (the digest's JSON, the insight's markdown). */
export const REPORT_TEXT_CHARS = 8 * 1024;

/**
 * The head of one of agentpr's report files (a digest), as text: read without following symlinks from inside the
 * reports directory, redacted, cut to {@link REPORT_TEXT_CHARS}. Null when it cannot be read.
 */
export async function reportText(path: string, reportsDir: string, redact: (text: string) => string): Promise<string | null> {
  const read = await readAgentFile(path, { maxBytes: REPORT_TEXT_CHARS * 4, within: reportsDir });
  if (!read.ok) return null;
  const text = read.data.toString('utf8');
  return shown(redact, read.truncated ? `${text}…` : text, { max: REPORT_TEXT_CHARS, block: true });
}
