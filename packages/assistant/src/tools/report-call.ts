import { ReportError } from '@agentpr/reports';
import { AgentprError } from '@agentpr/orchestrator';

/**
 * Runs a report and turns its expected failures (`ReportError`: usage, invalid_json, not_found, config, io) into the
 * `AgentprError` of the same code, whose one line the engine hands back to the model.
 */
export async function reportCall<T>(report: () => Promise<T>): Promise<T> {
  try {
    return await report();
  } catch (error) {
    if (error instanceof ReportError) throw new AgentprError(error.code, error.message, { cause: error });
    throw error;
  }
}
