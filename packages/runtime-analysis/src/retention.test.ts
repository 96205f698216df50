import { describe, expect, it } from 'vitest';
import { decideRetention, retentionBucket } from './retention.js';

describe('decideRetention', () => {
  it.each([
    ['calib_mem0_20260225_r2', 1, 73],
    ['calib_dexter_20260225_r2', 1, 59],
    ['run_policy_smoke_20260224', 3, 1],
    ['calib_mem0_20260225_r3', 1, 1],
  ])('bucket(%s, %i) = %i (spec test vector)', (runId, attemptNo, bucket) => {
    expect(retentionBucket(runId, attemptNo)).toBe(bucket);
  });

  it('keeps every non-PASS stream', () => {
    expect(decideRetention({ grade: 'HUMAN_REVIEW', runId: 'r', attemptNo: 1, samplePct: 0 })).toEqual({ retained: true, reason: 'non_pass', bucket: null });
  });

  it('PASS: 100 → always, 0 → never, otherwise keep iff bucket < pct with reason success_sample_<pct>pct', () => {
    expect(decideRetention({ grade: 'PASS', runId: 'r', attemptNo: 1, samplePct: 250 })).toEqual({ retained: true, reason: 'success_sample_always', bucket: null });
    expect(decideRetention({ grade: 'PASS', runId: 'r', attemptNo: 1, samplePct: -5 })).toEqual({ retained: false, reason: 'success_sample_disabled', bucket: null });
    expect(decideRetention({ grade: 'PASS', runId: 'calib_dexter_20260225_r2', attemptNo: 1, samplePct: 60 })).toEqual({ retained: true, reason: 'success_sample_60pct', bucket: 59 });
    expect(decideRetention({ grade: 'PASS', runId: 'calib_dexter_20260225_r2', attemptNo: 1, samplePct: 59 })).toEqual({ retained: false, reason: 'success_sample_59pct', bucket: 59 });
  });
});
