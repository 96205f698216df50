import { hostname } from 'node:os';
import { StoreError } from './errors.js';

/** The characters and length a host id may have: it is the first part of lease holders, split on `:`. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * This host's identity across agentpr processes: `AGENTPR_HOST_ID` when set (1 to 64 of `[A-Za-z0-9._-]`),
 * otherwise the machine's hostname. Every host sharing one database needs a distinct id (containers often share a
 * hostname: set the variable there). An invalid value is a `StoreError` `invalid_input` naming the variable.
 *
 * @example
 * resolveHostId({ AGENTPR_HOST_ID: 'worker-2' }); // → 'worker-2'
 */
export function resolveHostId(env: Readonly<Record<string, string | undefined>>): string {
  const raw = env.AGENTPR_HOST_ID;
  if (raw === undefined || raw === '') return hostname() || 'localhost';
  if (!HOST_ID_PATTERN.test(raw)) {
    throw new StoreError(
      'invalid_input',
      `AGENTPR_HOST_ID must be 1-64 characters of letters, digits, . _ - (got ${raw.length} characters${raw.length <= 64 ? ` ${JSON.stringify(raw)}` : ''}); set it to a short name for this host or unset it to use the hostname.`,
    );
  }
  return raw;
}

/** The host id and process id a lease holder name starts with (see `leaseHolder`); undefined for a name of another shape. */
export function holderOrigin(holder: string): { host: string; pid: number } | undefined {
  const [host, pid] = holder.split(':');
  if (host === undefined || pid === undefined || !/^\d{1,10}$/.test(pid)) return undefined;
  return { host, pid: Number(pid) };
}
