import { engineLabel } from '@agentpr/reports';
import type { AttemptSummaryWithStderrTail, StoredEvent } from '@agentpr/store';
import type { EvidenceLine } from './run-evidence.js';
import { shown } from './run-text.js';

/** An event in the timeline: what happened, who sent it, and whether it moved the run (else why not). */
export interface TimelineEvent {
  kind: 'event';
  at: string;
  eventId: number;
  type: string;
  actor: string | null;
  applied: boolean;
  reason: string | null;
  /** The payload's facts in one line (`target_state: IMPLEMENTING, error: …`), redacted and cut. */
  detail: string;
}

/** A step attempt in the timeline, with its verdict and, for an agent attempt, the verdict's evidence. */
export interface TimelineAttempt {
  kind: 'attempt';
  at: string;
  /** The attempt's row id: the anchor `#attempt-<id>` links to. */
  attemptId: number;
  step: string;
  attemptNo: number;
  /**
   * The engine and model that ran it (`claude · claude-sonnet-4-5`), redacted and cut; null for steps no engine ran
   * and for agent attempts recorded before engines were.
   */
  engine: string | null;
  stage: string | null;
  durationMs: number;
  /** The step's process exit status (0 when it succeeded). */
  stepExit: number;
  grade: string | null;
  reasonCode: string | null;
  /** Null when no runtime report was read for it (not an agent attempt, or older than the reports read). */
  evidence: EvidenceLine[] | null;
  /** The tail of its stderr, redacted and cut (empty when none). */
  stderrTail: string;
}

/** One entry of the run's timeline. */
export type TimelineEntry = TimelineEvent | TimelineAttempt;

const DETAIL_CHARS = 300;
const DETAIL_VALUE_CHARS = 160;
const STDERR_CHARS = 500;
const ENGINE_CHARS = 200;

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? '';
}

/** The payload as `key: value` pairs in key order (`actor` is its own column), each value cut, the whole redacted and cut. */
function payloadDetail(payload: Readonly<Record<string, unknown>>, redact: (text: string) => string): string {
  const pairs = Object.keys(payload)
    .filter((k) => k !== 'actor')
    .sort()
    .slice(0, 8)
    .map((k) => `${k.slice(0, 40)}: ${shown(redact, valueText(payload[k]), { max: DETAIL_VALUE_CHARS })}`);
  return shown(redact, pairs.join(', '), { max: DETAIL_CHARS });
}

function eventEntry(e: StoredEvent, redact: (text: string) => string): TimelineEvent {
  return {
    kind: 'event',
    at: e.created_at,
    eventId: e.event_id,
    type: e.event_type,
    actor: e.actor,
    applied: Number(e.applied) === 1,
    reason: e.reason ? shown(redact, e.reason, { max: DETAIL_VALUE_CHARS }) : null,
    detail: payloadDetail(e.payload, redact),
  };
}

/** The last lines of a step's stderr: redacted over a wider tail first, so the cut never leaves part of a secret. */
function stderrTail(log: string, redact: (text: string) => string): string {
  const stderr = log.trim();
  if (!stderr) return '';
  const tail = redact(stderr.slice(-(STDERR_CHARS + 8192)));
  const cut = tail.length > STDERR_CHARS ? `…${tail.slice(-(STDERR_CHARS - 1))}` : tail;
  return shown((t) => t, cut, { max: STDERR_CHARS, block: true });
}

function attemptEntry(a: AttemptSummaryWithStderrTail, evidence: ReadonlyMap<number, EvidenceLine[]>, redact: (text: string) => string): TimelineAttempt {
  return {
    kind: 'attempt',
    at: a.created_at,
    attemptId: a.id,
    step: a.step,
    attemptNo: a.attempt_no,
    engine: a.engine || a.model ? shown(redact, engineLabel(a.engine, a.model), { max: ENGINE_CHARS }) : null,
    stage: a.stage,
    durationMs: a.duration_ms,
    stepExit: a.exit_code,
    grade: a.grade,
    reasonCode: a.reason_code,
    evidence: a.step === 'agent' ? (evidence.get(a.attempt_no) ?? null) : null,
    stderrTail: stderrTail(a.stderr_tail, redact),
  };
}

/**
 * The run's events and step attempts merged in time order (oldest first; at the same instant an event comes before
 * an attempt, then by id), every string from the run redacted and cut. `evidence` maps agent attempt numbers to
 * their verdict's evidence lines.
 */
export function runTimeline(
  events: readonly StoredEvent[],
  attempts: readonly AttemptSummaryWithStderrTail[],
  evidence: ReadonlyMap<number, EvidenceLine[]>,
  redact: (text: string) => string,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [...events.map((e) => eventEntry(e, redact)), ...attempts.map((a) => attemptEntry(a, evidence, redact))];
  const id = (e: TimelineEntry) => (e.kind === 'event' ? e.eventId : e.attemptId);
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.kind === b.kind ? id(a) - id(b) : a.kind === 'event' ? -1 : 1));
}
