import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CommandContext, GateProfile } from './command.js';

/**
 * The startup doctor gate (SPEC §3.3). The `basic` profile only checks that the workspace root is writable;
 * richer profiles delegate to the doctor of @agentpr/orchestrator when it provides one.
 */
export async function runStartupGate(ctx: CommandContext, profile: GateProfile, options: { networkTimeoutSec?: number; skipNetwork?: boolean; telegramTokenGiven?: boolean; webhookSecretGiven?: boolean } = {}): Promise<void> {
  const orchestrator = (await import('@agentpr/orchestrator')) as Record<string, unknown>;
  if (typeof orchestrator.doctorGate === 'function') {
    await (orchestrator.doctorGate as (c: unknown, p: GateProfile, o: unknown) => Promise<void>)(ctx.base, profile, options);
    return;
  }
  const root = ctx.base.paths.workspaceRoot;
  const probe = join(root, `.agentpr_doctor_probe_${process.pid}_${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(root, { recursive: true });
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
  } catch (error) {
    const { AgentprError } = await import('@agentpr/orchestrator');
    throw new AgentprError('gate_failed', `doctor gate (${profile}) failed: workspace.write: ${root}: ${(error as Error).message}. Run \`agentpr doctor\` for details.`);
  }
}
