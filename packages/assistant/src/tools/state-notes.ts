import type { RunState } from '@agentpr/state-machine';

/** What a state means and what usually moves a run out of it, in words (the table itself is computed from the state machine). */
export interface StateNote {
  meaning: string;
  moves_on_when: string;
}

/**
 * Hand-written notes on the 15 run states, kept next to the transition table they describe
 * (@agentpr/state-machine `TRANSITIONS`, `TARGET_RULES`, `resolveEvent`) and the manager's decisions
 * (@agentpr/orchestrator `decide`). The record type makes a missing or unknown state a compile error.
 */
export const STATE_NOTES: Readonly<Record<RunState, StateNote>> = {
  QUEUED: {
    meaning: 'Created and waiting; nothing has run yet.',
    moves_on_when: 'The manager loop (or agentpr start-discovery) starts discovery: QUEUED → DISCOVERY.',
  },
  DISCOVERY: {
    meaning: "The workspace is prepared (fork, clone, baseline tests) and the task's contract is written.",
    moves_on_when:
      'A contract is recorded (mark-plan-ready, or the contract stage of the agent) → PLAN_READY. A failed step → FAILED_RETRYABLE; ' +
      'a contract that needs a person → NEEDS_HUMAN_REVIEW.',
  },
  PLAN_READY: {
    meaning: 'The contract is ready; implementation has not started.',
    moves_on_when: 'start-implementation (the manager does it on its next tick) → IMPLEMENTING.',
  },
  IMPLEMENTING: {
    meaning: 'The coding agent is making the change (run-agent-step).',
    moves_on_when:
      "The agent's attempt is judged: PASS → LOCAL_VALIDATING; RETRYABLE → FAILED_RETRYABLE; HUMAN_REVIEW (a safety finding, failed tests, " +
      'missing test evidence, the diff budget, …) → NEEDS_HUMAN_REVIEW.',
  },
  LOCAL_VALIDATING: {
    meaning: 'The change passed the agent step and is checked before the push (the definition-of-done gate).',
    moves_on_when: 'run-finish commits and pushes the change → PUSHED. A failed pre-push check escalates → NEEDS_HUMAN_REVIEW.',
  },
  PUSHED: {
    meaning: "The change is pushed to agentpr's fork; no pull request is open yet (or a fix round re-pushed to an open one).",
    moves_on_when:
      'The manager writes a PR request; a human approves it (/approve_pr in Telegram or agentpr approve-open-pr with the confirm token) and the PR ' +
      'is opened → CI_WAIT. With an open PR, the webhook or sync-github moves it to CI_WAIT. A merged PR → DONE.',
  },
  CI_WAIT: {
    meaning: "The pull request is open; agentpr waits for GitHub's checks on the pushed head.",
    moves_on_when: 'All checks green → REVIEW_WAIT; a red check → ITERATING (a fix round). The webhook delivers these; sync-github is the fallback.',
  },
  REVIEW_WAIT: {
    meaning: "Checks passed; agentpr waits for the maintainers' review.",
    moves_on_when: 'Changes requested → ITERATING; the PR merged → DONE; closed without merging → NEEDS_HUMAN_REVIEW.',
  },
  ITERATING: {
    meaning: 'A review asked for changes or CI failed: the agent makes a fix round.',
    moves_on_when: "The agent's fix passes → LOCAL_VALIDATING, then it is pushed again; a failure → FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW.",
  },
  PAUSED: {
    meaning: 'Stopped by a person; the manager leaves it alone. GitHub facts that arrive meanwhile are held, not applied.',
    moves_on_when: 'Only resume moves it: back to the state it was paused from, or where held GitHub facts send it (a red check → ITERATING).',
  },
  DONE: {
    meaning: 'Finished: the pull request was merged (or a person marked the run done). Terminal.',
    moves_on_when: 'Never; create a new run to start again.',
  },
  SKIPPED: {
    meaning: 'Dropped on purpose (e.g. the contract stage found nothing to do). Terminal.',
    moves_on_when: 'Never; create a new run to start again.',
  },
  NEEDS_HUMAN_REVIEW: {
    meaning: 'Escalated: something needs a person (a verdict that needs review, a refused step, a PR closed unmerged, the retry budget spent).',
    moves_on_when:
      'A person acts; the manager does not: retry to an earlier stage (usually IMPLEMENTING or ITERATING) after looking at inspect_run, ' +
      'mark it done, or pause it. Checks and reviews that arrive meanwhile are held; a merged PR still → DONE.',
  },
  FAILED_RETRYABLE: {
    meaning: 'A step failed in a way worth retrying (a transient error, an interrupted attempt).',
    moves_on_when: 'The manager retries it to the stage it failed in, within its retry budget; past the budget it escalates → NEEDS_HUMAN_REVIEW. A human may retry it too.',
  },
  FAILED_TERMINAL: {
    meaning: 'Given up for good. Terminal.',
    moves_on_when: 'Never; create a new run to start again.',
  },
};
