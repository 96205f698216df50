import * as v from 'valibot';
import { AgentprError, applyCommand, commandEvent, type AppContext, type CommandApplied, type RunCommand } from '@agentpr/orchestrator';
import { parseHeldFacts, resolveEvent, type RunSnapshot, type RunState } from '@agentpr/state-machine';
import type { RunWithState } from '@agentpr/store';
import type { ToolOutput } from '../tool.js';
import { defineTool } from './define-tool.js';
import { runIdArg, stateArg } from './tool-args.js';
import { requireRun } from './tool-data.js';

type StateCommand = Extract<RunCommand, { command: 'pause' | 'resume' | 'retry' }>;

function snapshot({ state }: RunWithState): RunSnapshot {
  return {
    state: state.current_state,
    lastError: state.last_error,
    lastActiveState: state.last_active_state,
    heldFacts: parseHeldFacts(state.held_facts_json),
    ...(state.current_state === 'PAUSED' && state.paused_from ? { pausedFrom: state.paused_from as RunState } : {}),
  };
}

/** The state machine's words, for a chat: the CLI's flag becomes the tool's argument. */
const words = (message: string) => message.replaceAll('--target-state', 'target_state');

/**
 * Where `cmd` would take the run now, by the same pure resolution the store applies (operator rules included), so a
 * command that cannot apply is refused before anyone is asked to confirm it. The store decides again when it runs.
 */
export async function previewStateCommand(ctx: AppContext, runId: string, cmd: StateCommand): Promise<{ found: RunWithState; to: RunState }> {
  const found = await requireRun(ctx, runId);
  const resolution = resolveEvent(snapshot(found), commandEvent(cmd, ctx.actor), { runId });
  switch (resolution.outcome) {
    case 'refused':
      throw new AgentprError('refused', words(resolution.message));
    case 'stored':
      throw new AgentprError('refused', `${cmd.command} would not change run ${runId}: ${words(resolution.message)}`);
    case 'applied':
      if (resolution.sameState) throw new AgentprError('refused', `run ${runId} is already ${resolution.next.state}; ${cmd.command} would change nothing.`);
      return { found, to: resolution.next.state };
    default: {
      const never: never = resolution;
      return never;
    }
  }
}

/** The line a human confirms: "pause run_… (owner/repo), now IMPLEMENTING". */
async function describeCommand(ctx: AppContext, runId: string, cmd: StateCommand): Promise<string> {
  const { found, to } = await previewStateCommand(ctx, runId, cmd);
  const { run, state } = found;
  const label = `${run.run_id} (${run.owner}/${run.repo})`;
  return cmd.command === 'pause' ? `pause ${label}, now ${state.current_state}` : `${cmd.command} ${label} from ${state.current_state} to ${to}`;
}

/** Applies the command as the bot does and answers in the bot's words: "run_…: PAUSED (was IMPLEMENTING)". */
async function runCommand(ctx: AppContext, runId: string, cmd: StateCommand): Promise<ToolOutput> {
  const before = await requireRun(ctx, runId);
  const was = before.state.current_state;
  const applied: CommandApplied = await applyCommand(ctx, runId, cmd);
  const data = { run_id: runId, repo: `${before.run.owner}/${before.run.repo}`, outcome: applied.kind, state: applied.result.state, was };
  switch (applied.kind) {
    case 'applied':
      return { data, summary: `${runId}: ${applied.result.state} (was ${was})` };
    case 'duplicate':
      return { data, summary: `${runId}: ${applied.result.state} (was ${was}; already done, nothing changed)` };
    case 'stored':
      return { data, summary: `${runId}: ${applied.result.state} (was ${was}; recorded, no state change)` };
    case 'refused':
      throw new AgentprError('refused', words(applied.result.message ?? `${cmd.command} was refused (${applied.reason})`));
    default: {
      const never: never = applied;
      return never;
    }
  }
}

const target = (what: string) => v.pipe(stateArg, v.description(what));

/** `pause_run`: pause a run (the manager then leaves it alone until it is resumed). */
export const pauseRunTool = defineTool({
  name: 'pause_run',
  description: 'Pause a run: the manager leaves it alone until a person resumes it. A person must confirm it before it runs.',
  tier: 'write',
  effect: 'write',
  args: v.strictObject({ run_id: runIdArg }),
  describe: (ctx, input) => describeCommand(ctx, input.run_id, { command: 'pause' }),
  run: (ctx, input) => runCommand(ctx, input.run_id, { command: 'pause' }),
});

/** `resume_run`: resume a paused run, to where it was paused from (or where held GitHub facts send it) or to a target. */
export const resumeRunTool = defineTool({
  name: 'resume_run',
  description:
    'Resume a PAUSED run: by default back to the state it was paused from (or where GitHub facts held during the pause send it), or to target_state, ' +
    'never past the stage it left. A person must confirm it before it runs.',
  tier: 'write',
  effect: 'write',
  args: v.strictObject({ run_id: runIdArg, target_state: v.optional(target('Where to resume to; omit it for the default.')) }),
  describe: (ctx, input) => describeCommand(ctx, input.run_id, { command: 'resume', targetState: input.target_state }),
  run: (ctx, input) => runCommand(ctx, input.run_id, { command: 'resume', targetState: input.target_state }),
});

/** `retry_run`: retry a failed or escalated run to a stage it may go back to. */
export const retryRunTool = defineTool({
  name: 'retry_run',
  description:
    'Retry a run in FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW: move it back to target_state (e.g. IMPLEMENTING or ITERATING), never past the stage it left. ' +
    'A person must confirm it before it runs.',
  tier: 'write',
  effect: 'write',
  args: v.strictObject({ run_id: runIdArg, target_state: target('The stage to retry from, e.g. IMPLEMENTING.') }),
  describe: (ctx, input) => describeCommand(ctx, input.run_id, { command: 'retry', targetState: input.target_state }),
  run: (ctx, input) => runCommand(ctx, input.run_id, { command: 'retry', targetState: input.target_state }),
});
