import type { RunState } from '@agentpr/state-machine';
import type { GateName, GatePhase, GateVerdict } from './gate-types.js';
import type { GatesReport } from './gates.js';

/** A gate that stopped a command: what held, blocked or skipped the run, the run's state after it, and the way past. */
export interface GateStop {
  phase: GatePhase;
  gate: GateName;
  outcome: 'held' | 'blocked' | 'skip_run';
  reason_code: string | null;
  /** One line: the gate's own message, what it did to the run, and how to get past it. */
  message: string;
  /** `held` only: when the limit or window frees (ISO 8601), null when nobody can tell (an open-PR cap). */
  frees_at: string | null;
  /** The run's state after the gates (SKIPPED, NEEDS_HUMAN_REVIEW, or unchanged when held). */
  state: RunState;
  /** The commands that get the run past the gate, in order; empty when nothing does (SKIPPED). */
  next_commands: string[];
  /** The verdict with its evidence (quotes, duplicate links, the limit and its count). */
  verdict: GateVerdict;
}

const COMMAND_OF: Readonly<Record<GatePhase, string>> = { prepare: 'run-prepare', pr_request: 'request-open-pr', pr_approve: 'approve-open-pr' };

/** What a held command left alone. */
const HELD_LEFT: Readonly<Record<GatePhase, string>> = {
  prepare: 'nothing was cloned',
  pr_request: 'no request was written',
  pr_approve: 'no PR was opened and the request stays valid',
};

/** The commands that get a run past a stopping verdict at `phase`. */
function nextCommands(runId: string, phase: GatePhase, verdict: GateVerdict): string[] {
  const approve = phase === 'pr_approve' ? ' --request-file <file> --confirm-token <token> --confirm' : '';
  const again = `agentpr ${COMMAND_OF[phase]} --run-id ${runId}${approve}`;
  if (verdict.outcome === 'skip_run') return [];
  if (verdict.outcome === 'held') return phase === 'prepare' || verdict.gate !== 'etiquette' ? [again] : [again, `${again} --ignore-limits`];
  switch (verdict.reasonCode) {
    case 'duplicate_found':
      return [`${again} --allow-duplicate`];
    case 'ai_policy_issue_first':
      return [`agentpr link-issue --run-id ${runId} --issue <number>`, again];
    default:
      return [`agentpr inspect-run --run-id ${runId}`, again];
  }
}

function freesAtOf(verdict: GateVerdict): string | null {
  if (verdict.freesAt) return verdict.freesAt;
  const detail = verdict.detail.frees_at ?? verdict.detail.freesAt;
  return typeof detail === 'string' ? detail : null;
}

/**
 * A verdict's own words on one line, without its outcome word (`held: …`, the caller names the outcome) and the final
 * stop. `withFlags: false` also drops the command-line override hints (`(--ignore-limits to override, audited)`), for
 * a reader who cannot pass flags (the Telegram bot).
 *
 * @example
 * gateWords({ ...verdict, message: 'held: 2 PRs in the last hour (limit 2) (--ignore-limits to override, audited).' }, { withFlags: false })
 * // → '2 PRs in the last hour (limit 2)'
 */
export function gateWords(verdict: Pick<GateVerdict, 'message'>, options: { withFlags?: boolean } = {}): string {
  let said = verdict.message.replace(/\s+/g, ' ').trim().replace(/^(?:held|blocked|skipped|skip_run)\s*:\s*/i, '');
  if (options.withFlags === false) said = said.replace(/\s*\([^()]*--(?:ignore-limits|allow-duplicate)[^()]*\)/g, '');
  return said.replace(/[.;]\s*$/, '');
}

/** One line: the gate's message, what happened to the run, and the way past. */
function stopLine(runId: string, stop: Omit<GateStop, 'message'>): string {
  const said = gateWords(stop.verdict);
  // Commands the gate already named are not repeated; the rest follow them.
  const unsaid = stop.next_commands.filter((c) => !said.includes(c));
  const lead = unsaid.length < stop.next_commands.length ? 'then' : 'to go on:';
  const next = unsaid.length ? `; ${lead} ${unsaid.map((c) => `\`${c}\``).join(' then ')}` : '';
  switch (stop.outcome) {
    case 'held': {
      // The gate usually says when itself ("frees at 14:05 UTC", "opens at …"); else the time is added.
      const frees = stop.frees_at && !/\b(?:frees|opens)\b/i.test(said) ? `; frees at ${stop.frees_at}` : '';
      const emergency = stop.next_commands[1] && !said.includes('--ignore-limits') ? `, or in an emergency \`${stop.next_commands[1]}\` (audited)` : '';
      const or = `; ask again once it frees${emergency || ` (\`${stop.next_commands[0]}\`)`}`;
      return `${COMMAND_OF[stop.phase]} held by the ${stop.gate} gate: ${said}${frees}; ${HELD_LEFT[stop.phase]}${or}.`;
    }
    case 'blocked':
      return `${COMMAND_OF[stop.phase]} blocked by the ${stop.gate} gate: ${said}; run ${runId} is ${stop.state}${next}.`;
    case 'skip_run':
      return `${COMMAND_OF[stop.phase]} stopped by the ${stop.gate} gate: ${said}; run ${runId} ended as ${stop.state}.`;
    default: {
      const never: never = stop.outcome;
      return never;
    }
  }
}

/**
 * What stopped a command at its gates, or null when the gates let it go on (`pass` or `overridden`). The message is
 * one line a person can act on: the gate's own words, then what the run is now and the commands that get it past.
 *
 * @example
 * const stop = gateStop(await checkRunGates(ctx, { runId, phase: 'pr_request' }), runId);
 * if (stop) return { kind: 'gated', ...stop };
 */
export function gateStop(report: GatesReport, runId: string): GateStop | null {
  const verdict = report.stoppedBy;
  if (!verdict || verdict.outcome === 'pass' || verdict.outcome === 'overridden') return null;
  const stop = {
    phase: report.phase,
    gate: verdict.gate,
    outcome: verdict.outcome,
    reason_code: verdict.reasonCode,
    frees_at: verdict.outcome === 'held' ? freesAtOf(verdict) : null,
    state: report.state,
    next_commands: nextCommands(runId, report.phase, verdict),
    verdict,
  };
  return { ...stop, message: stopLine(runId, stop) };
}
