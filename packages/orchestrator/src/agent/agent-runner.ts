import type { AgentEngine } from '@agentpr/codex-runner';

/**
 * The agent-engine port of {@link AppPorts}: what `runAgentStep` calls to resolve, probe and run the coding agent.
 * The real one wraps `@agentpr/codex-runner`; unit tests pass a fake that replays a captured event stream.
 */
export interface AgentRunner {
  /** The engine (codex first). */
  readonly engine: AgentEngine;
}

/** The real agent runner over `@agentpr/codex-runner`. */
export function createAgentRunner(engine: AgentEngine): AgentRunner {
  return { engine };
}
