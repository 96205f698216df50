import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Assistant, Requester } from '@agentpr/assistant';
import { AgentprError } from '@agentpr/orchestrator/errors';
import type { CommandContext, OptionValues } from '../command.js';
import { str } from '../values.js';
import { tickOneRun } from './ask-tick.js';

/** The assistant as the CLI uses it, with the audit file it writes to. */
export interface CliAssistant {
  assistant: Assistant;
  requester: Requester;
  /** Flushes and closes the audit file. */
  close(): Promise<void>;
}

/** Where `agentpr ask` audits its turns: `<data>/reports/assistant_audit.jsonl`. */
export function askAuditFile(ctx: Pick<CommandContext, 'base'>): string {
  return join(ctx.base.paths.reportsDir, 'assistant_audit.jsonl');
}

/** `cli:<os user>`: the operator at this terminal, for budgets and confirmations. */
function osUser(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (containers): the environment's name, else the uid.
    return env.USER ?? env.LOGNAME ?? `uid${process.getuid?.() ?? 0}`;
  }
}

/**
 * Resolves the manager LLM (flag > env > policy `manager_llm`), opens the audit file and builds the assistant with
 * the CLI's `drive_run` runtime. Not configured, or a bad URL or model name: an `AgentprError('usage')` naming the
 * flags and environment variables, before the store is opened.
 */
export async function openCliAssistant(ctx: CommandContext, values: OptionValues): Promise<CliAssistant> {
  const [assistantLib, { loadPolicy, resolveManagerLlmPolicy, resolveOfflineMode }, { redactorFor }] = await Promise.all([
    import('@agentpr/assistant'),
    import('@agentpr/policy'),
    import('@agentpr/orchestrator'),
  ]);
  const { createAssistant, resolveLlmConfig, openAssistantAuditFile } = assistantLib;
  const loaded = await loadPolicy(ctx.base.paths.policyFile);
  if (!loaded.ok) throw new AgentprError(loaded.error.code === 'invalid_json' ? 'invalid_json' : 'config', loaded.error.message);
  const offline = resolveOfflineMode({ env: ctx.base.env, flag: values.offline === true, policy: loaded.policy.offline }).offline;
  const resolved = resolveLlmConfig({
    flags: { baseUrl: str(values, 'llm-base-url'), model: str(values, 'llm-model') },
    env: ctx.base.env,
    policy: resolveManagerLlmPolicy(loaded.policy),
    offline,
  });
  if (resolved.kind === 'unconfigured') throw new AgentprError('usage', `ask: ${resolved.message}`);
  const app = await ctx.app();
  const audit = openAssistantAuditFile(askAuditFile(ctx), { redactor: redactorFor(app), clock: app.clock });
  const assistant = createAssistant(app, { config: resolved.config, audit, runtime: { signal: ctx.signal, tickRun: tickOneRun } });
  const user = `cli:${osUser(ctx.base.env)}`;
  return {
    assistant,
    requester: { channel: 'cli', chatKey: user, userKey: user, tier: 'admin' },
    close: () => audit.close(),
  };
}
