/** An earlier step attempt, as far as the retry cap cares. */
export interface VerdictAttempt {
  step: string;
  grade: string | null;
  stage: string | null;
}

/**
 * The retryable streak of a new attempt in `stage`: 1 + the number of verdict-bearing
 * attempts (`agent` or `preflight` with a grade) immediately before it, newest first, that are RETRYABLE in the
 * same stage. A PASS, a HUMAN_REVIEW or another stage ends the streak. `previous` is newest first.
 */
export function retryableStreak(previous: readonly VerdictAttempt[], stage: string): number {
  let streak = 1;
  for (const a of previous) {
    if ((a.step !== 'agent' && a.step !== 'preflight') || !a.grade) continue;
    if (a.grade !== 'RETRYABLE' || a.stage !== stage) break;
    streak++;
  }
  return streak;
}
