/** The review verdict that matters for a run; only `changes_requested` moves it. */
export interface ReviewDecision {
  state: 'changes_requested' | 'approved' | 'commented' | 'dismissed' | null;
  /** The review that decided, when there is one (its id is the natural idempotency key). */
  reviewId: number | null;
  submittedAt: string | null;
}

const DECIDING = new Set(['approved', 'commented', 'dismissed']);

/**
 * Decides a PR's review state: a `reviewDecision` of `changes_requested` wins; otherwise the newest
 * review that requested changes, approved, commented or was dismissed. Reviews are given oldest first.
 */
export function decideReview(
  reviews: ReadonlyArray<{ id: number; state: string; submittedAt?: string | null }>,
  reviewDecision?: string | null,
): ReviewDecision {
  const newestFirst = [...reviews].reverse();
  if (reviewDecision?.trim().toLowerCase() === 'changes_requested') {
    const latest = newestFirst.find((r) => r.state.trim().toLowerCase() === 'changes_requested');
    return { state: 'changes_requested', reviewId: latest?.id ?? null, submittedAt: latest?.submittedAt ?? null };
  }
  for (const review of newestFirst) {
    const state = review.state.trim().toLowerCase();
    if (state === 'changes_requested' || DECIDING.has(state)) {
      return { state: state as ReviewDecision['state'], reviewId: review.id, submittedAt: review.submittedAt ?? null };
    }
  }
  return { state: null, reviewId: null, submittedAt: null };
}
