import type { RunState } from './states.js';

/** Who issued an event. Operator and bot commands carry the operator limits of resume and retry. */
export type Actor = 'operator' | 'bot' | 'manager' | 'webhook' | 'sync' | 'worker';

/** Names of the steps whose attempts are recorded. */
export type StepName = 'preflight' | 'prepare' | 'finish' | 'agent' | 'pr_create' | 'github_sync';

/** Every event type the store accepts. `command.pr.create` and `github.comment.created` are reserved. */
export const EVENT_TYPES = [
  'command.run.create',
  'command.start.discovery',
  'command.start.implementation',
  'command.local.validation.passed',
  'command.pr.linked',
  'command.mark.done',
  'command.retry',
  'command.pause',
  'command.resume',
  'command.run.skip',
  'worker.discovery.completed',
  'worker.step.failed',
  'worker.push.completed',
  'worker.workspace.rebuilt',
  'worker.workspace.work_lost',
  'github.check.completed',
  'github.review.submitted',
  'github.pull_request.closed',
  'timer.timeout',
] as const;

/** One of the event types the store accepts. */
export type EventType = (typeof EVENT_TYPES)[number];

interface Base {
  actor?: Actor;
}

/** A state-changing event, as a discriminated union on `type`. Payload fields use the stored snake_case names. */
export type RunEvent =
  | (Base & { type: 'command.start.discovery' })
  | (Base & { type: 'command.start.implementation' })
  | (Base & { type: 'command.local.validation.passed' })
  | (Base & { type: 'command.pr.linked'; pr_number: number })
  /** `forced`: an operator marked a run DONE with no merged PR known to the store (`mark-done --force`); `why` says what was missing. */
  | (Base & { type: 'command.mark.done'; forced?: true | undefined; why?: string | undefined })
  | (Base & { type: 'command.pause' })
  | (Base & { type: 'command.resume'; target_state?: RunState | undefined })
  | (Base & { type: 'command.retry'; target_state: RunState; error?: string | undefined })
  /**
   * Ends a run as SKIPPED from any non-terminal state, for a reason agentpr decided on its own: the repository
   * forbids AI contributions (`ai_policy_forbidden`), is archived or inactive, or its PR went stale (`stale`).
   * `last_error` becomes `skip:<reason_code>:<message>`.
   */
  | (Base & { type: 'command.run.skip'; reason_code: string; message: string })
  | (Base & { type: 'worker.discovery.completed'; contract_path: string })
  | (Base & { type: 'worker.step.failed'; step: StepName; reason_code: string; error_message: string })
  | (Base & { type: 'worker.push.completed'; branch: string; head_sha?: string | undefined })
  /**
   * A host rebuilt the run's workspace because it was missing here or another host held it last (issue 20): from
   * the fork's branch at the pushed head, or from the base commit. Never moves the run.
   */
  | (Base & { type: 'worker.workspace.rebuilt'; from_host: string | null; to_host: string; point: 'pushed_head' | 'base'; sha: string })
  /**
   * Local work of the host that held the workspace before a rebuild, never pushed: the agent attempts it ran after the
   * last push (`unfinished_attempt_no`: one that started and never recorded an end). Never moves the run.
   */
  | (Base & { type: 'worker.workspace.work_lost'; host: string | null; attempt_nos: number[]; unfinished_attempt_no: number | null })
  | (Base & { type: 'github.check.completed'; conclusion: string; pr_number?: number | null | undefined; head_sha?: string | null | undefined; reason?: string | undefined; failing_checks?: string[] | undefined })
  | (Base & { type: 'github.review.submitted'; state: string; pr_number?: number | null | undefined })
  | (Base & { type: 'github.pull_request.closed'; pr_number: number; merged: boolean })
  | (Base & { type: 'timer.timeout'; step: StepName });

/** True for events that an operator types or the bot relays, and so obey the operator's rules for resume and retry (from which states, to which targets). */
export function isOperatorActor(actor: Actor | undefined): boolean {
  return actor === undefined || actor === 'operator' || actor === 'bot';
}

/** The payload stored with an event: every field except `type`. */
export function eventPayload(event: RunEvent): Record<string, unknown> {
  const { type: _type, ...payload } = event;
  return payload;
}

/** Check conclusions that count as success. */
export const SUCCESS_CONCLUSIONS: ReadonlySet<string> = new Set(['success', 'neutral', 'skipped']);
