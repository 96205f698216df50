/** What {@link FailureLimiter} is built with. */
export interface FailureLimiterOptions {
  /** Failures allowed per client in a window (default 10). */
  max?: number;
  /** The window (default 60 s). */
  windowMs?: number;
  /** A monotonic millisecond clock (default `performance.now`). */
  now?: () => number;
  /** The most clients remembered; the oldest are forgotten first (default 10,000). */
  maxClients?: number;
}

/**
 * Counts failed sign-ins (wrong token by form or bearer) per client address in fixed windows. A client that has
 * failed `max` times is refused (429) until its window ends, right token or not, so the token cannot be guessed
 * quickly. Behind a reverse proxy the client is the proxy's `X-Real-IP` when the proxy is trusted (`--trusted-proxy`),
 * else the proxy's own address, which every client then shares.
 */
export class FailureLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxClients: number;
  private readonly clients = new Map<string, { count: number; resetAt: number }>();

  constructor(options: FailureLimiterOptions = {}) {
    this.max = options.max ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? (() => performance.now());
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Seconds until `client` may try again, or undefined when it may try now. */
  retryAfter(client: string): number | undefined {
    const entry = this.clients.get(client);
    if (!entry) return undefined;
    const left = entry.resetAt - this.now();
    if (left <= 0) {
      this.clients.delete(client);
      return undefined;
    }
    return entry.count >= this.max ? Math.ceil(left / 1000) : undefined;
  }

  /** Records one failure of `client`. */
  fail(client: string): void {
    const now = this.now();
    const entry = this.clients.get(client);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    this.clients.delete(client);
    if (this.clients.size >= this.maxClients) {
      const oldest = this.clients.keys().next();
      if (!oldest.done) this.clients.delete(oldest.value);
    }
    this.clients.set(client, { count: 1, resetAt: now + this.windowMs });
  }
}
