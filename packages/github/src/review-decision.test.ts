import { describe, expect, it } from 'vitest';
import { decideReview } from './review-decision.js';

describe('decideReview', () => {
  it('decideReview takes the newest deciding review', () => {
    const reviews = [
      { id: 1, state: 'CHANGES_REQUESTED', submittedAt: '2026-01-01T00:00:00Z' },
      { id: 2, state: 'APPROVED', submittedAt: '2026-01-02T00:00:00Z' },
    ];
    expect(decideReview(reviews)).toEqual({ state: 'approved', reviewId: 2, submittedAt: '2026-01-02T00:00:00Z' });
  });

  it('decideReview with reviewDecision CHANGES_REQUESTED names the newest changes-requested review', () => {
    const reviews = [
      { id: 5, state: 'changes_requested' },
      { id: 6, state: 'commented' },
    ];
    expect(decideReview(reviews, 'CHANGES_REQUESTED')).toMatchObject({ state: 'changes_requested', reviewId: 5 });
  });

  it('decideReview skips pending reviews and returns null without any', () => {
    expect(decideReview([{ id: 1, state: 'PENDING' }])).toEqual({ state: null, reviewId: null, submittedAt: null });
    expect(decideReview([])).toMatchObject({ state: null });
  });
});
