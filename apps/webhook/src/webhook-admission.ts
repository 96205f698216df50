/** Options of {@link createWebhookAdmission}. */
export interface WebhookAdmissionOptions {
  /** Requests one client may have in flight at once. */
  maxConcurrentPerClient: number;
  /** Bytes of not-yet-verified request bodies all clients together may hold. */
  maxUnverifiedBytes: number;
  /** Bytes of not-yet-verified bodies one client may hold (a share of the global budget). */
  maxUnverifiedBytesPerClient: number;
}

/** One admitted request; see {@link WebhookAdmission.enter}. */
export interface WebhookTicket {
  /** Reserves `bytes` more of the unverified-body budget; false (and nothing reserved) when the global budget or the client's share is spent. */
  reserve(bytes: number): boolean;
  /** Returns every byte this request reserved: its body was verified, or refused. */
  releaseBytes(): void;
  /** Ends the request: returns its bytes and its slot. Calling it again does nothing. */
  leave(): void;
}

/** Admission control of the webhook server: a per-client concurrency cap and a budget of unverified body bytes. */
export interface WebhookAdmission {
  /** Admits one request of `client`, or answers undefined when the client already has its most requests in flight. */
  enter(client: string): WebhookTicket | undefined;
  /** Unverified body bytes reserved now. */
  readonly unverifiedBytes: number;
  /** Clients with a request in flight now. */
  readonly clients: number;
}

interface ClientState {
  requests: number;
  bytes: number;
}

/**
 * Creates the admission control of the webhook server. An unauthenticated sender can otherwise make the server
 * hold one maximal body per connection (300 slow 1 MiB bodies took it from 70 to 387 MB): every body is
 * reserved here before a byte of it is read, so the memory held by requests whose signature is not yet checked
 * never exceeds `maxUnverifiedBytes`, and one client never holds more than its share, so a single flooding
 * address cannot starve the others. Pure bookkeeping; the server maps refusals to 429/503.
 *
 * @example
 * const admission = createWebhookAdmission({ maxConcurrentPerClient: 32, maxUnverifiedBytes: 16 << 20, maxUnverifiedBytesPerClient: 4 << 20 });
 * const ticket = admission.enter('203.0.113.9');
 * if (!ticket) return tooManyRequests();
 * if (!ticket.reserve(contentLength)) return overloaded();
 */
export function createWebhookAdmission(options: WebhookAdmissionOptions): WebhookAdmission {
  const perClient = Math.max(1, Math.trunc(options.maxConcurrentPerClient));
  const budget = Math.max(0, options.maxUnverifiedBytes);
  const share = Math.max(0, Math.min(budget, options.maxUnverifiedBytesPerClient));
  const clients = new Map<string, ClientState>();
  let unverified = 0;
  return {
    get unverifiedBytes() {
      return unverified;
    },
    get clients() {
      return clients.size;
    },
    enter(client) {
      const state = clients.get(client) ?? { requests: 0, bytes: 0 };
      if (state.requests >= perClient) return undefined;
      state.requests++;
      clients.set(client, state);
      let held = 0;
      let left = false;
      const releaseBytes = () => {
        unverified -= held;
        state.bytes -= held;
        held = 0;
      };
      return {
        reserve(bytes) {
          if (left) return false;
          const n = Math.max(0, Math.trunc(bytes));
          if (unverified + n > budget || state.bytes + n > share) return false;
          unverified += n;
          state.bytes += n;
          held += n;
          return true;
        },
        releaseBytes,
        leave() {
          if (left) return;
          left = true;
          releaseBytes();
          state.requests--;
          if (state.requests === 0) clients.delete(client);
        },
      };
    },
  };
}
