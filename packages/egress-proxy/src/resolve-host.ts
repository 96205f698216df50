import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Resolves a host to its addresses; an empty list means it did not resolve. */
export type HostResolver = (host: string) => Promise<readonly string[]>;

/**
 * The default resolver: an IP literal is itself, `localhost` is `127.0.0.1` and `::1` (never the hosts file's
 * idea of it), anything else goes through the system resolver, bounded by `timeoutMs`. Never throws.
 */
export function systemResolver(timeoutMs = 5_000): HostResolver {
  return async (host) => {
    if (isIP(host)) return [host];
    if (host === 'localhost') return ['127.0.0.1', '::1'];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<readonly string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), timeoutMs);
    });
    try {
      const answer = lookup(host, { all: true, verbatim: true }).then(
        (records) => records.map((record) => record.address),
        () => [] as string[],
      );
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
