/** The human actions a run can wait for. */
export type AwaitedAction = 'approve_pr' | 'request_pr' | 'resume' | 'review_escalation' | 'provide_prompt';

/**
 * What a `wait_human` decision waits for: the action, one line a person can read, the exact command that does it,
 * and other commands that lead there. Never holds a secret: a confirm token is named as where to get it.
 */
export interface Awaiting {
  action: AwaitedAction;
  /** One line: what the human is asked to do. */
  summary: string;
  /** The command that performs the action (placeholders in angle brackets only where the value is secret). */
  command: string;
  /** Other ways through, in order. */
  alternatives?: string[];
  /** What to know before running the command (e.g. where the confirm token comes from). */
  note?: string;
}

/** A pending PR request of the run's pushed head, as the manager shows it. */
export interface PendingRequest {
  requestFile: string;
  expiresAt: string;
  expired: boolean;
}

/** A PR request waits for approval: the Telegram card, or the CLI with a token from a re-issued request. */
export function awaitingApproval(runId: string, request: PendingRequest): Awaiting {
  const reissue = `agentpr request-open-pr --run-id ${runId}`;
  if (request.expired) {
    return {
      action: 'request_pr',
      summary: `the PR request expired at ${request.expiresAt}: re-issue it (prints a new confirm token), then approve`,
      command: reissue,
      alternatives: ['agentpr pending-prs'],
    };
  }
  return {
    action: 'approve_pr',
    summary: `PR request ready (expires ${request.expiresAt}): approve it on the Telegram card or by command`,
    command: `agentpr approve-open-pr --run-id ${runId} --request-file ${request.requestFile} --confirm-token <token> --confirm`,
    note: 'the confirm token is never logged; re-issuing the request prints a fresh one',
    alternatives: ['agentpr pending-prs', reissue],
  };
}

/** The run is PUSHED and nobody has asked for its PR yet (the manager does not, e.g. under `drive`). */
export function awaitingRequest(runId: string, why: string): Awaiting {
  return {
    action: 'request_pr',
    summary: `${why}: request the PR (renders title and body, prints the confirm token)`,
    command: `agentpr request-open-pr --run-id ${runId}`,
  };
}

/** A paused run waits for `resume`. */
export function awaitingResume(runId: string): Awaiting {
  return { action: 'resume', summary: 'paused: resume it when ready', command: `agentpr resume --run-id ${runId}` };
}

/** An escalated run waits for a human to inspect it, then retry it (to `retryTo`, a target retry accepts) or end it. */
export function awaitingReview(runId: string, retryTo: string, why: string | null): Awaiting {
  return {
    action: 'review_escalation',
    summary: `escalated${why ? ` (${why.length > 200 ? `${why.slice(0, 199)}…` : why})` : ''}: inspect it, then retry it or mark it done`,
    command: `agentpr inspect-run --run-id ${runId}`,
    alternatives: [`agentpr retry --run-id ${runId} --target-state ${retryTo}`, `agentpr mark-done --run-id ${runId} --force`],
  };
}

/**
 * A run a gate blocked (its `last_error` is `gate:<gate>:<reason>:<message>`, written by checkRunGates) waits for the
 * one thing that gets it past: `--allow-duplicate` on the command the duplicate blocked (run-prepare in DISCOVERY,
 * request-open-pr at PUSHED), or a linked issue where the repository wants an issue first. Those commands put the run
 * back where it was. Null for any other escalation (the generic review applies).
 */
export function awaitingGate(runId: string, lastError: string | null, leftAt: string | null): Awaiting | null {
  const match = /^gate:([a-z0-9_]+):([a-z0-9_]+):(.*)$/s.exec(lastError ?? '');
  if (!match) return null;
  const [, gate, reason, message] = match;
  const why = message!.length > 200 ? `${message!.slice(0, 199)}…` : message!;
  const command = leftAt === 'PUSHED' ? 'request-open-pr' : 'run-prepare';
  const ending = [`agentpr inspect-run --run-id ${runId}`, `agentpr mark-done --run-id ${runId} --force`];
  if (reason === 'duplicate_found') {
    return {
      action: 'review_escalation',
      summary: `blocked by the ${gate} gate (${why}): check the matches; if this run is still wanted, go on despite them (audited)`,
      command: `agentpr ${command} --run-id ${runId} --allow-duplicate`,
      alternatives: ending,
    };
  }
  if (reason === 'ai_policy_issue_first' && leftAt === 'PUSHED') {
    return {
      action: 'review_escalation',
      summary: `blocked by the ${gate} gate (${why}): link the upstream issue this PR resolves, then request the PR again`,
      command: `agentpr link-issue --run-id ${runId} --issue <number>`,
      note: `then \`agentpr request-open-pr --run-id ${runId}\` puts the run back to PUSHED with "Closes #<number>" in the body`,
      alternatives: ending,
    };
  }
  return null;
}

/** The worker step needs the manager's prompt file. */
export function awaitingPrompt(runId: string): Awaiting {
  return {
    action: 'provide_prompt',
    summary: 'the manager has no prompt file for the agent step: run the manager with one',
    command: `agentpr manager-tick --run-id ${runId} --prompt-file <prompt.md>`,
  };
}

/** One line for logs and terminals: the summary, the command, the note, then the alternatives. */
export function awaitingLine(awaiting: Awaiting): string {
  const note = awaiting.note ? ` (${awaiting.note})` : '';
  const more = awaiting.alternatives?.length ? `; or ${awaiting.alternatives.map((a) => `\`${a}\``).join(', ')}` : '';
  return `${awaiting.summary}: \`${awaiting.command}\`${note}${more}`;
}
