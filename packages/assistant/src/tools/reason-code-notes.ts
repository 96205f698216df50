/** What a verdict's reason code says, its grade, and what a person does about it. */
export interface ReasonCodeNote {
  grade: 'PASS' | 'RETRYABLE' | 'HUMAN_REVIEW' | 'RETRYABLE or HUMAN_REVIEW';
  meaning: string;
  what_to_do: string;
}

const INSPECT = 'Look at inspect_run (the evidence names the lines and commands)';

/**
 * The reason codes of the runtime verdict (`ReasonCode` in @agentpr/runtime-analysis `types.ts`, decided in
 * `classify-attempt.ts`), in words. A test checks the keys against that union, so a new code cannot go unexplained.
 */
export const REASON_CODE_NOTES: Readonly<Record<string, ReasonCodeNote>> = {
  protected_file_changed: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent changed a protected file (git configuration, hooks or internals, .gitmodules, .gitattributes, CI workflows); this outranks every other verdict.',
    what_to_do: `${INSPECT}; reset the workspace (agentpr reset-workspace) before retrying, and tighten the task if the change was deliberate.`,
  },
  preflight_transient_failure: {
    grade: 'RETRYABLE',
    meaning: 'The repository preflight (tools, dependencies) failed with a transient error such as a network timeout.',
    what_to_do: 'Usually nothing: the manager retries. If it repeats, check the network and the package registry the repository uses.',
  },
  preflight_hard_failure: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The repository preflight failed in a way a retry cannot fix (a missing tool, a broken install).',
    what_to_do: `${INSPECT}; fix the environment or the policy's preflight for this repository, then retry to IMPLEMENTING.`,
  },
  safety_violation: {
    grade: 'HUMAN_REVIEW',
    meaning: 'A command of the agent broke a safety rule: wrote outside the workspace, read credentials, changed git configuration, or the sandbox refused a file access.',
    what_to_do: `${INSPECT}; read what the agent tried before any retry, and reset the workspace if it changed anything outside the task.`,
  },
  agent_push_disallowed: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent ran git push or another remote git command although agent pushes are not allowed; agentpr pushes by itself.',
    what_to_do: `${INSPECT}; retry, and make the prompt say not to push (or allow agent pushes for this repository in the policy, if intended).`,
  },
  test_command_failed: {
    grade: 'HUMAN_REVIEW',
    meaning: 'A test, lint or typecheck command failed and was never re-run successfully, and its failures did not all fail before the agent (the baseline).',
    what_to_do: `${INSPECT} to see the failing tests; retry to ITERATING or IMPLEMENTING if the agent should fix them, or allow-list a known failure in the policy.`,
  },
  empty_event_stream: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent exited 0 but its output holds no events, so nothing can be judged (run without --json, or the output was lost).',
    what_to_do: 'Check the agent command and its version (agentpr doctor), then retry.',
  },
  unparseable_event_stream: {
    grade: 'HUMAN_REVIEW',
    meaning: "The agent's output has lines but none is a JSON event, so the attempt cannot be judged.",
    what_to_do: 'Check the agent version against the supported one (agentpr doctor), then retry.',
  },
  hidden_command_failure: {
    grade: 'HUMAN_REVIEW',
    meaning: "A command failed in a way the agent's event stream hides (e.g. the sandbox denied it and it vanished from the stream).",
    what_to_do: `${INSPECT}; check the sandbox setup (CODEX_HOME, TMPDIR), then retry.`,
  },
  agent_reported_needs_review: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent itself said in its final message that the change needs a human review.',
    what_to_do: "Read the agent's last message in inspect_run, answer its question or adjust the task, then retry.",
  },
  agent_reported_failure: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent itself reported that it failed.',
    what_to_do: "Read the agent's last message in inspect_run for why, then retry with a clearer task or skip the run.",
  },
  agent_reported_skip: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent itself decided the task should be skipped (nothing to do, or out of scope).',
    what_to_do: 'Read its reason in inspect_run; agree and leave the run, or retry with a corrected task.',
  },
  missing_test_evidence: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent changed code in a stage that needs tests but ran no successful test, lint or typecheck command.',
    what_to_do: 'Retry; if it repeats, make the prompt or the skills name the test command (skills_feedback suggests how).',
  },
  insufficient_test_evidence: {
    grade: 'HUMAN_REVIEW',
    meaning: "The agent ran fewer successful test commands than the policy's min_test_commands requires.",
    what_to_do: 'Retry, or lower min_test_commands for this repository in the policy if the requirement is too strict.',
  },
  diff_budget_exceeded: {
    grade: 'HUMAN_REVIEW',
    meaning: "The change is larger than the policy's diff budget (changed files or added lines).",
    what_to_do: `${INSPECT}; split the task or raise max_changed_files / max_added_lines for this repository, then retry.`,
  },
  runtime_success: {
    grade: 'PASS',
    meaning: 'The attempt passed: exit 0, tests ran and passed, no safety finding, within the diff budget.',
    what_to_do: 'Nothing; the run moves on.',
  },
  runtime_success_allowlisted_test_failures: {
    grade: 'PASS',
    meaning: "The attempt passed; some tests failed, but only with failures the policy's known_test_failure_allowlist waives.",
    what_to_do: 'Nothing; keep the allow-list short and review it now and then.',
  },
  runtime_success_pre_existing_test_failures: {
    grade: 'PASS',
    meaning: 'The attempt passed; the tests that failed already failed on the untouched base commit (the baseline), and the agent did not make it worse.',
    what_to_do: 'Nothing; the run moves on. The failing tests were already failing before the agent.',
  },
  runtime_hard_failure: {
    grade: 'HUMAN_REVIEW',
    meaning: 'The agent process failed in a way a retry cannot fix: a usage error, it could not start, or an error such as an invalid API key or permission denied.',
    what_to_do: `${INSPECT}; fix the agent configuration or credentials (agentpr doctor), then retry.`,
  },
  runtime_transient_failure: {
    grade: 'RETRYABLE',
    meaning: 'The agent process failed with a transient error (timeout, rate limit, connection reset) or hit the agent time limit.',
    what_to_do: 'Usually nothing: the manager retries. If it repeats, check the model endpoint and max_agent_seconds.',
  },
  runtime_unknown_failure: {
    grade: 'RETRYABLE',
    meaning: 'The agent process failed and its error matches no known hard or transient pattern.',
    what_to_do: `The manager retries; if it repeats, ${INSPECT.toLowerCase()} and the agent's stderr.`,
  },
  runtime_interrupted: {
    grade: 'RETRYABLE',
    meaning: 'The attempt was stopped (by an operator, a shutdown or the manager), so it says nothing about the task.',
    what_to_do: 'Nothing; the run is retried.',
  },
  retryable_limit_exceeded: {
    grade: 'HUMAN_REVIEW',
    meaning: "The stage failed with a retryable reason more times in a row than the policy's max_retryable_attempts allows.",
    what_to_do: `${INSPECT} for the original reason; fix its cause, then retry the run.`,
  },
};
