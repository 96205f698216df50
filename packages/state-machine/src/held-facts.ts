import { SUCCESS_CONCLUSIONS, type RunEvent } from './events.js';
import type { RunState } from './states.js';

/**
 * GitHub facts that arrived while the run was held in `PAUSED` or `NEEDS_HUMAN_REVIEW`: the latest of each kind.
 * They are stored with the run so `resume` acts on them; a later fact of a kind replaces the earlier one.
 */
export interface HeldFacts {
  /** The latest check verdict for the pushed head. */
  check?: 'success' | 'failure';
  /** The latest review verdict: `approved` replaces an earlier `changes_requested`. */
  review?: 'changes_requested' | 'approved';
  /** A PR that was closed without merging. */
  closedPr?: number;
}

/** The GitHub events a hold keeps back (a merge is not among them: it moves the run to DONE from anywhere). */
export type HeldEvent = Extract<RunEvent, { type: 'github.check.completed' | 'github.review.submitted' | 'github.pull_request.closed' }>;

/** `facts` with `event` recorded as the latest fact of its kind. */
export function holdFact(facts: HeldFacts | null | undefined, event: HeldEvent): HeldFacts {
  const next: HeldFacts = { ...(facts ?? {}) };
  switch (event.type) {
    case 'github.check.completed':
      next.check = SUCCESS_CONCLUSIONS.has(event.conclusion.trim().toLowerCase()) ? 'success' : 'failure';
      break;
    case 'github.review.submitted': {
      const state = event.state.trim().toLowerCase();
      if (state === 'changes_requested' || state === 'approved') next.review = state;
      break;
    }
    case 'github.pull_request.closed':
      next.closedPr = event.pr_number;
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`not a held event: ${(unreachable as RunEvent).type}`);
    }
  }
  return next;
}

/**
 * Where the held facts send a run that resumes from the stage it was paused at, or null when they change
 * nothing: a closed PR goes to NEEDS_HUMAN_REVIEW; a failing check or a changes-requested review to ITERATING;
 * an all-green roll-up while the run waited on CI to REVIEW_WAIT.
 */
export function heldFactsTarget(facts: HeldFacts | null | undefined, pausedFrom: RunState | null): RunState | null {
  if (!facts) return null;
  if (facts.closedPr !== undefined) return 'NEEDS_HUMAN_REVIEW';
  if (facts.check === 'failure' || facts.review === 'changes_requested') return 'ITERATING';
  if (facts.check === 'success' && pausedFrom === 'CI_WAIT') return 'REVIEW_WAIT';
  return null;
}

/** The stored form of held facts (a JSON object), or null when there are none. */
export function serializeHeldFacts(facts: HeldFacts | null | undefined): string | null {
  if (!facts || Object.keys(facts).length === 0) return null;
  return JSON.stringify(facts);
}

/**
 * Held facts read back from their stored form. Unknown or malformed fields are dropped, so a damaged value
 * reads as "no held facts" for that kind rather than as a fact nobody recorded.
 */
export function parseHeldFacts(text: string | null | undefined): HeldFacts | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const facts: HeldFacts = {};
  if (raw.check === 'success' || raw.check === 'failure') facts.check = raw.check;
  if (raw.review === 'changes_requested' || raw.review === 'approved') facts.review = raw.review;
  if (typeof raw.closedPr === 'number' && Number.isInteger(raw.closedPr) && raw.closedPr > 0) facts.closedPr = raw.closedPr;
  return Object.keys(facts).length ? facts : null;
}
