import type { DoctorContext, DoctorGateOptions, GateProfileName } from '@agentpr/orchestrator';
import type { FlagValues } from './flag-spec.js';

function str(value: FlagValues[string]): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * What an app's own flags tell the doctor gate: a network timeout, `--skip-network-check`, `--offline`, the URLs it
 * will use (so an offline gate checks those, not github.com), a token or secret given as a flag, the store it opens.
 */
export function gateOptionsFor(values: FlagValues): DoctorGateOptions {
  return {
    networkTimeoutSec: typeof values['network-timeout-sec'] === 'string' ? Number(values['network-timeout-sec']) : undefined,
    skipNetwork: values['skip-network-check'] === true,
    offline: values.offline === true ? true : undefined,
    upstreamUrl: str(values['upstream-url']),
    forkUrl: str(values['fork-url']),
    githubApiUrl: str(values['github-api-url']),
    telegramApiUrl: str(values['telegram-api-url']),
    telegramTokenGiven: typeof values['telegram-token'] === 'string',
    webhookSecretGiven: typeof values.secret === 'string' || values['allow-unsigned'] === true,
    database: { databaseUrl: str(values['database-url']), sqlitePath: str(values.db) },
  };
}

/**
 * The startup doctor gate of every app: the orchestrator's `doctorGate` for the command's profile,
 * told what the flags already give. Throws `AgentprError('gate_failed')` naming the failures; `--skip-doctor`
 * (checked by the caller) skips it. The orchestrator is loaded only when a gate runs.
 */
export async function runStartupGate(ctx: DoctorContext, profile: GateProfileName, values: FlagValues): Promise<void> {
  const { doctorGate } = await import('@agentpr/orchestrator');
  await doctorGate(ctx, profile, gateOptionsFor(values));
}
