import { join } from 'node:path';
import type { EngineName } from '@agentpr/policy';

/**
 * The probe cache of one engine, under agentpr's data dir (out of every agent's reach): agent steps and the doctor
 * share it, so a binary is probed once per path and modification time.
 * @example probeCacheFile('/var/lib/agentpr', 'claude') // '/var/lib/agentpr/cache/claude-probe.json'
 */
export function probeCacheFile(dataDir: string, engine: EngineName): string {
  return join(dataDir, 'cache', `${engine}-probe.json`);
}
