import { createHash } from 'node:crypto';

/** Whether an attempt's raw event stream is kept. */
export interface RetentionDecision {
  retained: boolean;
  /** `non_pass`, `success_sample_always`, `success_sample_disabled` or `success_sample_<pct>pct`. */
  reason: string;
  /** The sampling bucket 0..99, or null when no sampling was needed. */
  bucket: number | null;
}

/** The sampling bucket of an attempt: first 8 hex chars of SHA-1(`<run_id>:<attempt_no>`) mod 100. */
export function retentionBucket(runId: string, attemptNo: number): number {
  const hex = createHash('sha1').update(`${runId}:${attemptNo}`).digest('hex').slice(0, 8);
  return Number.parseInt(hex, 16) % 100;
}

/**
 * Decides event-stream retention: every non-PASS stream is kept; a PASS stream is kept for a
 * deterministic `success_event_stream_sample_pct` share of attempts.
 *
 * @example
 * decideRetention({ grade: 'PASS', runId: 'calib_mem0_20260225_r3', attemptNo: 1, samplePct: 8 })
 * // → {retained: true, reason: 'success_sample_8pct', bucket: 1}
 */
export function decideRetention(input: { grade: string; runId: string; attemptNo: number; samplePct: number }): RetentionDecision {
  if (input.grade !== 'PASS') return { retained: true, reason: 'non_pass', bucket: null };
  const pct = Math.min(100, Math.max(0, Math.trunc(input.samplePct)));
  if (pct >= 100) return { retained: true, reason: 'success_sample_always', bucket: null };
  if (pct <= 0) return { retained: false, reason: 'success_sample_disabled', bucket: null };
  const bucket = retentionBucket(input.runId, input.attemptNo);
  return { retained: bucket < pct, reason: `success_sample_${pct}pct`, bucket };
}
