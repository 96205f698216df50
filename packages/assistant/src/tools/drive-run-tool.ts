import * as v from 'valibot';
import { AgentprError } from '@agentpr/orchestrator';
import { HOLD_STATES, isTerminal } from '@agentpr/state-machine';
import { defineTool } from './define-tool.js';
import { runIdArg } from './tool-args.js';
import { requireRun } from './tool-data.js';

/** `drive_run`: one manager tick for one run, through the app's `tickRun` (offered only where the app supplies it). */
export const driveRunTool = defineTool({
  name: 'drive_run',
  description:
    'Drive one run one step now: the manager decides its next action (prepare, run the agent, push, sync with GitHub, …) and runs it once. ' +
    'A person must confirm it before it runs.',
  tier: 'write',
  effect: 'write',
  args: v.strictObject({ run_id: runIdArg }),
  async describe(ctx, input) {
    const { run, state } = await requireRun(ctx, input.run_id);
    if (isTerminal(state.current_state)) throw new AgentprError('refused', `run ${run.run_id} is ${state.current_state}, which is terminal; there is nothing to drive.`);
    if (HOLD_STATES.has(state.current_state)) {
      const how = state.current_state === 'PAUSED' ? 'resumes it (resume_run)' : 'retries it (retry_run)';
      throw new AgentprError('refused', `run ${run.run_id} is ${state.current_state}; the manager leaves it alone until a person ${how}.`);
    }
    return `drive one manager step of ${run.run_id} (${run.owner}/${run.repo}), now ${state.current_state}`;
  },
  async run(ctx, input, runtime) {
    if (!runtime.tickRun) throw new AgentprError('config', `drive_run is not available here; drive the run with: agentpr drive --run-id ${input.run_id}`);
    await requireRun(ctx, input.run_id);
    return runtime.tickRun(ctx, input.run_id, runtime.signal);
  },
});
