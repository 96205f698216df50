import type { AgentStepOutcome, ConvergedAgentStep, RefusedAgentStep, RunAgentStepResult } from '@agentpr/orchestrator';
import type { CommandResult } from '../command.js';

/** The JSON `agentpr run-agent-step` prints for a converged step; `exit_code` is the agent's. */
function convergedJson(r: ConvergedAgentStep, ok: boolean): Record<string, unknown> {
  const c = r.classification;
  return {
    ok,
    engine: r.engine,
    engine_source: r.engineSource,
    model: r.model,
    exit_code: r.agentExit,
    state: r.state,
    ...(r.agentExit !== 0 ? { stderr: r.stderr } : { stdout_tail: r.stdoutTail }),
    classification: { grade: c.grade, reason_code: c.reason_code, next_action: c.next_action, evidence: c.evidence },
    sandbox: r.sandbox,
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
    agent_report: r.reports.report,
    agent_event_stream: r.eventStream,
    agent_last_message: r.lastMessage,
    run_digest: r.reports.digest,
    manager_insight: r.reports.insight,
  };
}

/** The JSON `agentpr run-agent-step` prints for a refusal. */
function refusedJson(r: RefusedAgentStep): Record<string, unknown> {
  const base = { ok: false, error: r.message, state: r.state };
  switch (r.reason) {
    case 'workspace_missing':
    case 'workspace_unsafe':
      return base;
    case 'protected_file_changed':
      return { ...base, protected_changes: r.protectedChanges };
    case 'dirty_workspace_before_agent':
      return { ...base, diff: r.diff };
    case 'skills_missing':
      return { ok: false, error: r.message, missing_required: r.missingRequired, skills_root: r.skillsRoot, state: r.state, next_command: r.nextCommand };
    case 'preflight_failed':
      return {
        ...base,
        preflight: r.preflight,
        classification: r.classification,
        agent_report: r.reports.report,
        run_digest: r.reports.digest,
        manager_insight: r.reports.insight,
      };
  }
}

/** The terminal lines: the verdict and the state, then the files the step left. */
function text(result: RunAgentStepResult, ok: boolean): string {
  const judged = result.kind === 'converged' || result.reason === 'preflight_failed' ? result : undefined;
  const c = judged?.classification;
  const files = judged?.reports;
  const reason = c?.reason_code ?? (result.kind === 'refused' ? result.message : '');
  const engine = result.kind === 'converged' ? `engine:  ${result.engine} (${result.engineSource})${result.model ? ` model ${result.model}` : ''}` : '';
  return [
    `${ok ? 'PASS' : 'not passed'}: ${c?.grade ?? '-'} ${reason} → state ${result.state}`,
    engine,
    files?.report ? `report:  ${files.report}` : '',
    files?.digest ? `digest:  ${files.digest}` : '',
    files?.insight ? `insight: ${files.insight}` : '',
    result.kind === 'converged' && result.eventStream ? `events:  ${result.eventStream}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * What `agentpr run-agent-step` prints and how it exits: a refusal or a verdict other than PASS exits 1; an agent
 * that itself failed passes its own exit status on.
 *
 * @example
 * return renderAgentStep(result, agentStepOutcome(result));
 */
export function renderAgentStep(result: RunAgentStepResult, outcome: AgentStepOutcome): CommandResult {
  const output = result.kind === 'converged' ? convergedJson(result, outcome.ok) : refusedJson(result);
  const agentExit = result.kind === 'converged' ? result.agentExit : 0;
  return { output, status: outcome.ok ? 'ok' : agentExit !== 0 ? { external: agentExit } : 'failed', text: text(result, outcome.ok) };
}
