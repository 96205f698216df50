import { RUN_ID_PATTERN } from '@agentpr/orchestrator';
import { inspectRun, type CostSummary, type EngineUsage, type GateVerdictView, type InspectRunResult } from '@agentpr/reports';
import type { RunState } from '@agentpr/state-machine';
import { getLease, getRun, latestPrRequest, listAttemptSummaries, listEvents } from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';
import { PageError } from '../page.js';
import { nextGate, type NextGate } from './next-gate.js';
import { attemptEvidence } from './run-evidence.js';
import { diffStats, leaseView, prView, REPORT_TEXT_CHARS, reportText, type DiffStats, type LeaseView, type RunPrView } from './run-facts.js';
import { shown } from './run-text.js';
import { runTimeline, type TimelineEntry } from './run-timeline.js';

/** Events and attempts the timeline shows (the newest). */
export const TIMELINE_EVENTS = 100;
export const TIMELINE_ATTEMPTS = 60;
/** Characters of an agent message, an error or a gate message shown. */
export const MESSAGE_CHARS = 500;
/**
 * Characters of each attempt's stderr read for the timeline, of its 64 KiB: the timeline redacts the last ~8.7k
 * (after trimming) and shows the last 500, so this reads all it uses without the rest of the logs.
 */
export const TIMELINE_STDERR_CHARS = 16_384;

/** The latest agent verdict (from the latest runtime report): grade, reason, next action and the tests it saw. */
export interface LatestVerdictView {
  grade: string;
  reasonCode: string;
  nextAction: string;
  testCommands: number;
  failedTestCommands: number;
  /** The agent's last message (its tail), redacted and cut. */
  lastMessage: string;
}

/** The run digest's summary and its text (JSON, cut). */
export interface DigestView {
  grade: string;
  reasonCode: string;
  stateBefore: string;
  stateAfter: string;
  recommendedAction: string;
  generatedAt: string;
  text: string | null;
}

/** Everything the run page shows, every string from the run already redacted and cut. */
export interface RunView {
  runId: string;
  owner: string;
  repo: string;
  campaign: string | null;
  linkedIssue: number | null;
  state: RunState;
  lastActiveState: RunState | null;
  lastError: string;
  lastVerdict: string | null;
  createdAt: string;
  updatedAt: string;
  pr: RunPrView | null;
  lease: LeaseView | null;
  /** Where the run's workspace lives: the host that last held it (null before hosts were recorded) and its path under any host's workspace root. */
  workspace: { host: string | null; hostAt: string | null; rel: string };
  next: NextGate;
  timeline: TimelineEntry[];
  /** True when the run has more events or attempts than the timeline shows. */
  timelineCut: boolean;
  latestVerdict: LatestVerdictView | null;
  digest: DigestView | null;
  insight: string | null;
  diff: DiffStats | null;
  usage: CostSummary;
  /** The same per engine and model (labels cleaned by the report; shown through `Truncate`). */
  usageByEngine: EngineUsage[];
  stepTotals: InspectRunResult['timing']['step_totals'];
  totalStepMs: number;
  wallClockMs: number;
  gates: GateVerdictView[];
  warnings: string[];
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value.slice(0, 200) : fallback);
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The run id from the path, validated (the pattern run ids are made with). */
export function runIdParam(raw: string | undefined): string {
  if (!raw || !RUN_ID_PATTERN.test(raw)) throw new PageError('bad_request', 'run id: letters, digits, ".", "_" or "-", up to 128 characters');
  return raw;
}

function gateViews(gates: readonly GateVerdictView[], redact: (t: string) => string): GateVerdictView[] {
  return gates.map((g) => ({
    ...g,
    message: shown(redact, g.message, { max: MESSAGE_CHARS }),
    reason: g.reason === null ? null : shown(redact, g.reason, { max: 200 }),
    ...(g.quotes
      ? {
        quotes: g.quotes.map((q) => ({
          path: q.path === null ? null : shown(redact, q.path, { max: 200 }),
          quote: shown(redact, q.quote, { max: MESSAGE_CHARS }),
        })),
      }
      : {}),
  }));
}

/**
 * The run page's view of one run, assembled from the existing read models: `inspectRun` (timing, latest verdict,
 * digest, insight, CI, usage, gates), the run's events and attempts (the timeline, with each agent attempt's
 * evidence from its runtime report), its lease, its newest PR request (the PR title) and the next gate (the manager's
 * own facts and decision). Read-only. An unknown run is `PageError('not_found')`.
 */
export async function runView(deps: DashboardDeps, runId: string): Promise<RunView> {
  const found = await getRun(deps.db, runId);
  if (!found) throw new PageError('not_found', `run ${runId} not found`);
  const { run, state } = found;
  const r = deps.redact;
  const [inspect, events, attempts, lease, request, evidence] = await Promise.all([
    inspectRun(deps.app, { runId, eventLimit: 1, attemptLimit: 120, commandLimit: 1 }),
    listEvents(deps.db, runId, { limit: TIMELINE_EVENTS + 1 }),
    listAttemptSummaries(deps.db, runId, { limit: TIMELINE_ATTEMPTS + 1, stderrTailChars: TIMELINE_STDERR_CHARS }),
    getLease(deps.db, runId),
    latestPrRequest(deps.db, runId),
    attemptEvidence(deps.db, runId, deps.paths.reportsDir, r),
  ]);
  const [next, digestText] = await Promise.all([
    nextGate(deps.app, { runId, recommended: inspect.recommended_actions, latestCi: inspect.latest_ci }, r),
    inspect.latest_run_digest ? reportText(String(inspect.latest_run_digest.path), deps.paths.reportsDir, r) : Promise.resolve(null),
  ]);
  const rt = inspect.latest_agent_runtime;
  const d = inspect.latest_run_digest;
  return {
    runId,
    owner: run.owner,
    repo: run.repo,
    campaign: run.campaign ?? null,
    linkedIssue: run.linked_issue ?? null,
    state: state.current_state,
    lastActiveState: state.last_active_state,
    lastError: shown(r, state.last_error, { max: MESSAGE_CHARS }),
    lastVerdict: found.state.last_verdict ?? null,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    pr: prView(run, inspect, request, events, state.held_facts_json, r),
    lease: leaseView(lease, deps.clock()),
    workspace: {
      host: state.workspace_host ? shown(r, state.workspace_host, { max: 64 }) : null,
      hostAt: state.workspace_host_at ?? null,
      rel: shown(r, run.workspace_rel, { max: 300 }),
    },
    next,
    timeline: runTimeline(events.slice(0, TIMELINE_EVENTS), attempts.slice(0, TIMELINE_ATTEMPTS), evidence, r),
    timelineCut: events.length > TIMELINE_EVENTS || attempts.length > TIMELINE_ATTEMPTS,
    latestVerdict: rt
      ? {
        grade: text(rt.grade, 'UNKNOWN'),
        reasonCode: text(rt.reason_code, 'unknown'),
        nextAction: text(rt.next_action),
        testCommands: count(rt.test_command_count),
        failedTestCommands: count(rt.failed_test_command_count),
        lastMessage: shown(r, typeof rt.last_message_preview === 'string' ? rt.last_message_preview : '', { max: MESSAGE_CHARS, block: true }),
      }
      : null,
    digest: d
      ? {
        grade: text(d.grade, 'UNKNOWN'),
        reasonCode: text(d.reason_code, 'unknown'),
        stateBefore: text(d.state_before),
        stateAfter: text(d.state_after),
        recommendedAction: text(d.recommended_action),
        generatedAt: text(d.generated_at),
        text: digestText,
      }
      : null,
    insight: inspect.latest_manager_insight ? shown(r, inspect.latest_manager_insight.preview, { max: REPORT_TEXT_CHARS, block: true }) : null,
    diff: diffStats(rt, r),
    usage: { ...inspect.usage, notes: inspect.usage.notes.map((n) => shown(r, n, { max: 300 })) },
    usageByEngine: inspect.usage_by_engine.map((e) => ({ ...e, label: shown(r, e.label, { max: 200 }) })),
    stepTotals: inspect.timing.step_totals,
    totalStepMs: inspect.timing.total_step_duration_ms,
    wallClockMs: inspect.timing.run_wall_clock_ms,
    gates: gateViews(inspect.gates, r),
    warnings: inspect.warnings.map((w) => shown(r, w, { max: MESSAGE_CHARS })),
  };
}
