import type { EngineName } from '@agentpr/policy';
import { codexEngine, type AgentEngine } from './agent-engine.js';
import { claudeEngine } from './claude-engine.js';

/** Every engine agentpr can drive, by name. */
export const AGENT_ENGINES: Readonly<Record<EngineName, AgentEngine<unknown>>> = Object.freeze({
  codex: codexEngine as AgentEngine<unknown>,
  claude: claudeEngine as AgentEngine<unknown>,
});

/**
 * The engine called `name`.
 * @example getAgentEngine('claude').homeVar // 'CLAUDE_CONFIG_DIR'
 */
export function getAgentEngine(name: EngineName): AgentEngine<unknown> {
  return AGENT_ENGINES[name];
}
