import type { CommandContext, GateProfile } from './command.js';

/** The startup doctor gate (SPEC §3.3): the doctor of @agentpr/orchestrator for the command's profile. */
export async function runStartupGate(
  ctx: CommandContext,
  profile: GateProfile,
  options: { networkTimeoutSec?: number; skipNetwork?: boolean; telegramTokenGiven?: boolean; webhookSecretGiven?: boolean } = {},
): Promise<void> {
  const { doctorGate } = await import('@agentpr/orchestrator');
  await doctorGate(ctx.base, profile, options);
}
