import type * as v from 'valibot';
import type { AppContext } from '@agentpr/orchestrator';

/** Permission tiers, as the bot's commands have them: `read` ⊂ `write` ⊂ `admin`. */
export type AssistantTier = 'read' | 'write' | 'admin';

/** What a tool handed back. */
export interface ToolOutput {
  /**
   * JSON-able data for the model. Everything in it that came from runs (repository names, PR titles, review
   * comments, agent messages, insights) is untrusted: the loop hands it over delimited as data, never as instructions.
   */
  data: unknown;
  /** One short line for the audit log and the operator ("12 runs", "run_… is PAUSED (was IMPLEMENTING)"); no data dump. */
  summary: string;
}

/** What a tool may use besides the context; apps supply it. */
export interface ToolRuntime {
  signal: AbortSignal;
  /**
   * Drives one manager tick for one run (the app builds the manager's actions from its own configuration). Without
   * it the `drive_run` tool is not offered.
   */
  tickRun?: ((ctx: AppContext, runId: string, signal: AbortSignal) => Promise<ToolOutput>) | undefined;
}

/**
 * One whitelisted action the model may call. Read tools run at once; write tools never run from the model's call:
 * the call becomes a pending action a human confirms (`confirmAction`), and only then does `run` execute, with the
 * arguments validated when the model asked.
 */
export interface AssistantTool<S extends v.GenericSchema = v.GenericSchema> {
  /** snake_case, `^[a-z][a-z0-9_]{0,47}$`. */
  name: string;
  /** One or two sentences for the model. */
  description: string;
  /** The least tier that may use it: `read` for read tools, `write` for write tools. */
  tier: AssistantTier;
  effect: 'read' | 'write';
  /** The arguments, a valibot object schema; the JSON Schema sent to the model is generated from it. */
  args: S;
  /**
   * Write tools: the exact line a human confirms, naming the run by id and owner/repo ("pause run_45f3cbdcdc56
   * (mem0ai/mem0)"). Throws `AgentprError` when the target does not exist (the model is told, nothing is pending).
   */
  describe?: ((ctx: AppContext, args: v.InferOutput<S>) => Promise<string>) | undefined;
  run(ctx: AppContext, args: v.InferOutput<S>, runtime: ToolRuntime): Promise<ToolOutput>;
}
