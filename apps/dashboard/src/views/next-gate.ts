import { decide, gatherFacts, type AppContext, type Awaiting, type Decision, type GatheredFacts } from '@agentpr/orchestrator';
import { nextCommands } from '@agentpr/orchestrator/views';
import type { InspectRunResult } from '@agentpr/reports';
import { isTerminal } from '@agentpr/state-machine';
import { shown } from './run-text.js';

/** Who moves the run next: a person, GitHub (CI, reviews), the manager loop, a gate holding it, or nobody (finished). */
export type NextMover = 'human' | 'github' | 'manager' | 'gate' | 'nobody';

/**
 * What a run waits for and how it gets past it: one line, the exact CLI command (placeholders in angle brackets only
 * where the value is secret: the confirm token is never rendered), the bot command where the bot can do it, other
 * commands that lead there, and what to know first.
 */
export interface NextGate {
  mover: NextMover;
  summary: string;
  command: string | null;
  botCommand: string | null;
  alternatives: string[];
  note: string | null;
}

const GATE_LINE_CHARS = 600;

/** The dashboard is read-only: approving stays a deliberate act with the token. */
const APPROVAL_NOTE =
  'approving needs the confirm token that request-open-pr prints (it is never logged or shown here); or approve on the Telegram card';

/** The retry target a retry command names (`agentpr retry --run-id R --target-state S`). */
function retryTarget(commands: readonly string[]): string | null {
  for (const c of commands) {
    const m = /^agentpr retry --run-id \S+ --target-state ([A-Z_]+)$/.exec(c);
    if (m) return m[1]!;
  }
  return null;
}

/** The bot command that does what `awaiting` asks, when the bot has one (`/approve_pr`, `/resume`, `/retry`). */
function botCommandFor(runId: string, awaiting: Awaiting): string | null {
  switch (awaiting.action) {
    case 'approve_pr':
      return `/approve_pr ${runId}`;
    case 'resume':
      return `/resume ${runId}`;
    case 'review_escalation': {
      const target = retryTarget([awaiting.command, ...(awaiting.alternatives ?? [])]);
      return target ? `/retry ${runId} ${target}` : null;
    }
    case 'request_pr':
    case 'provide_prompt':
      return null;
  }
}

function humanGate(runId: string, awaiting: Awaiting): NextGate {
  const note = awaiting.action === 'approve_pr' ? APPROVAL_NOTE : (awaiting.note ?? null);
  return { mover: 'human', summary: awaiting.summary, command: awaiting.command, botCommand: botCommandFor(runId, awaiting), alternatives: awaiting.alternatives ?? [], note };
}

/** What GitHub is to say next: CI on the pushed head, a review, or (PUSHED with an open PR) that it sees the push. */
function githubWait(facts: GatheredFacts, decision: Decision): string {
  const pr = facts.prNumber === null ? 'the PR' : `PR #${facts.prNumber}`;
  if (facts.state === 'CI_WAIT') return `waits for CI on ${pr}'s latest push`;
  if (facts.state === 'REVIEW_WAIT') return `waits for a maintainer's review of ${pr}`;
  return `waits for GitHub: ${decision.reason}`;
}

/** Why the manager's step is due: in ITERATING after red CI, the fix round and the failing checks. */
function stepReason(facts: GatheredFacts, decision: Decision, ci: NextGateInput['latestCi']): string {
  if (facts.state !== 'ITERATING' || !ci?.red) return decision.reason;
  const pr = ci.pr_number ?? facts.prNumber;
  return `a fix round: CI ${ci.conclusion}${pr === null ? '' : ` on PR #${pr}`}${ci.failing_checks ? `, failing ${ci.failing_checks.join(', ')}` : ''}`;
}

/** A decision the manager (or GitHub) carries out by itself, with the command that does the same by hand. */
function automaticGate(facts: GatheredFacts, decision: Decision, manual: readonly string[], ci: NextGateInput['latestCi']): NextGate {
  const [command = null, ...alternatives] = manual.filter((c) => c.startsWith('agentpr '));
  const waiting = { botCommand: null, alternatives, note: null };
  if (isTerminal(facts.state)) return { mover: 'nobody', summary: `the run is finished (${facts.state}); nothing waits`, command: null, ...waiting, alternatives: [] };
  if (decision.action === 'sync_github' || (decision.action === 'noop' && !/^held by /.test(decision.reason))) {
    return { mover: 'github', summary: githubWait(facts, decision), command, ...waiting, note: 'the webhook moves the run when GitHub reports; sync-github asks GitHub now' };
  }
  if (decision.action === 'noop') return { mover: 'gate', summary: decision.reason, command, ...waiting };
  if (decision.action === 'request_pr') {
    return { mover: 'manager', summary: `the manager writes the PR request next (${decision.reason}); then a human approves it`, command, ...waiting };
  }
  return { mover: 'manager', summary: `the manager's next step: ${decision.action.replace(/_/g, ' ')} (${stepReason(facts, decision, ci)})`, command, ...waiting };
}

/** What {@link nextGate} takes besides the context: the run, its state's recommended commands and its latest CI verdict. */
export interface NextGateInput {
  runId: string;
  /** `inspectRun`'s `recommended_actions`. */
  recommended: readonly string[];
  /** `inspectRun`'s `latest_ci`: names the failing checks a fix round is for. */
  latestCi: InspectRunResult['latest_ci'];
}

/**
 * The run's next gate, from the manager's own reading of it: `gatherFacts` and `decide` (the same facts and rules the
 * manager loop acts on; retry budgets are the loop's business, so they are not applied here). A human gate carries the
 * awaited action's command (manager/awaiting.ts); an automatic step the command that does it by hand, from the
 * state's recommended commands refined at PUSHED by the run's PR and PR request (`nextCommands`). Read-only.
 *
 * @example
 * const gate = await nextGate(deps.app, { runId: 'run_1', recommended: view.recommended_actions, latestCi: view.latest_ci }, deps.redact);
 * gate.command; // 'agentpr resume --run-id run_1'
 */
export async function nextGate(app: AppContext, input: NextGateInput, redact: (text: string) => string): Promise<NextGate> {
  const { runId, recommended } = input;
  const facts = await gatherFacts(app, runId, { skillsMode: 'off', hasPrompt: true, syncIntervalMs: 0 });
  const decision = decide(facts, Number.MAX_SAFE_INTEGER);
  if (decision.action === 'wait_human' && decision.awaiting) return safeGate(humanGate(runId, decision.awaiting), redact);
  const request = facts.pr.request;
  const pending = request && !request.consumed && !request.expired ? request.requestFile : null;
  const manual = nextCommands({ runId, state: facts.state, openPr: facts.pr.openNumber, pendingRequestFile: pending }, recommended);
  return safeGate(automaticGate(facts, decision, manual, input.latestCi), redact);
}

/** The gate's lines quote the run (its last error, a gate's message): redacted and cut like any text from a run. */
function safeGate(gate: NextGate, redact: (text: string) => string): NextGate {
  const line = (t: string) => shown(redact, t, { max: GATE_LINE_CHARS });
  return {
    ...gate,
    summary: line(gate.summary),
    command: gate.command === null ? null : line(gate.command),
    botCommand: gate.botCommand === null ? null : line(gate.botCommand),
    alternatives: gate.alternatives.map(line),
    note: gate.note === null ? null : line(gate.note),
  };
}
