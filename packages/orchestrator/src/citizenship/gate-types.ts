import type { GitHubClient } from '@agentpr/github';
import type { EffectiveCampaignRules } from '@agentpr/policy';
import type { RunRow } from '@agentpr/store';

/** The three gates a run passes before agentpr works on a repository and before it asks to open a PR there. */
export type GateName = 'ai_policy' | 'duplicates' | 'etiquette';

/**
 * When a gate is asked: before `run-prepare` works (`prepare`), when a PR request is written (`pr_request`, by
 * `request-open-pr` or the manager at PUSHED), and when a human approves it (`pr_approve`: the PR opens now, so the
 * limits and the schedule are checked again).
 */
export type GatePhase = 'prepare' | 'pr_request' | 'pr_approve';

/**
 * A gate's verdict:
 * - `pass`: go on;
 * - `overridden`: a human overrode a block (`--allow-duplicate`, `--ignore-limits`); go on, audited;
 * - `held`: not now (a PR limit or the schedule window); `freesAt` says when to ask again; the run is unchanged;
 * - `blocked`: a human must decide (a duplicate, an issue the repository wants first); the run goes to
 *   NEEDS_HUMAN_REVIEW with the reason;
 * - `skip_run`: the repository does not want this (forbids AI contributions, is archived or inactive); the run ends
 *   as SKIPPED with the reason.
 */
export type GateOutcome = 'pass' | 'overridden' | 'held' | 'blocked' | 'skip_run';

/** One gate's verdict on one run, as stored in `run_gate_checks` and shown by show-run and inspect-run. */
export interface GateVerdict {
  gate: GateName;
  outcome: GateOutcome;
  /**
   * Machine-readable why, e.g. `ai_policy_forbidden`, `duplicate_found`, `limit_max_open_prs_per_repo`, `outside_schedule`,
   * `repo_archived`, `not_on_github`; null on a plain pass.
   */
  reasonCode: string | null;
  /** One line for a human: what holds and how to get past it. Never contains a secret. */
  message: string;
  /** The evidence: quotes with their document paths, links to duplicates, the limit with its count and when it frees. JSON-safe. */
  detail: Record<string, unknown>;
  /** `held` only: when the limit or the window frees (ISO 8601). */
  freesAt?: string | null;
  /** What the PR body must gain when the PR goes ahead: the disclosure (ai_policy) and the linked issue to reference. */
  prBody?: { disclosure?: string | null; issueNumber?: number | null };
}

/** What a caller asks of the gates. */
export interface GateRequest {
  runId: string;
  phase: GatePhase;
  /** `--allow-duplicate`: duplicates found are recorded and overridden (audited). */
  allowDuplicate?: boolean;
  /** `--ignore-limits`: PR limits and schedule windows are recorded and overridden (audited). For emergencies. */
  ignoreLimits?: boolean;
  /**
   * What the run clones or cloned (a URL or a local path), when the caller knows it: run-prepare passes its
   * `--upstream-url` (before the clone exists). Later phases read the workspace's `upstream` remote. Decides
   * {@link GateTarget.notOnGitHub}.
   */
  upstreamUrl?: string | undefined;
}

/** What one gate check receives: the run, the campaign rules that hold for it, GitHub (when configured) and now. */
export interface GateTarget {
  run: RunRow;
  rules: EffectiveCampaignRules;
  /** Undefined when no GitHub token is configured; a gate that needs GitHub then fails closed (see `gates.ts`). */
  github: GitHubClient | undefined;
  now: Date;
  /**
   * Why the run's upstream is not on GitHub at all, or null when it is: offline mode (`--offline`,
   * `AGENTPR_OFFLINE=1`, the policy's `offline`, or a loopback API with local remotes) or a local upstream (a path or
   * `file://` URL) unless `AGENTPR_OFFLINE=0` says the configured GitHub API serves it. A gate that needs GitHub then
   * returns `pass` with reasonCode `not_on_github` and this reason in its message, instead of failing closed for a
   * missing token. Computed once by `checkRunGates` (see `githubReach` in gates.ts).
   */
  notOnGitHub: string | null;
}
