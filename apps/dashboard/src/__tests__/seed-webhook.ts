import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { claimDelivery, finishDelivery, type Clock, type Db } from '@agentpr/store';

// The dashboard seed's webhook traffic, on the seed's clock: its own file to keep seed.ts about runs.

/** Webhook deliveries over the last day (claimed, then finished as the webhook does), and its audit log lines. */
export async function seedWebhook(db: Db, clock: (hoursAgo: number) => Clock, auditLogFile: string): Promise<void> {
  mkdirSync(dirname(auditLogFile), { recursive: true, mode: 0o700 });
  const outcomes: Array<[outcome: string, status: number, error: string]> = [
    ['processed', 200, ''], ['processed', 200, ''], ['ignored', 202, ''], ['processed', 200, ''], ['refused', 401, 'bad signature'],
    ['processed', 200, ''], ['error', 500, 'database is locked'], ['ignored', 202, ''], ['processed', 200, ''], ['duplicate', 200, ''],
  ];
  for (let i = 0; i < 24; i++) {
    const [outcome, status, error] = outcomes[i % outcomes.length]!;
    const at = clock(23.5 - i)();
    const delivery = `seed-delivery-${String(i).padStart(3, '0')}`;
    const event = i % 3 === 0 ? 'pull_request' : 'check_run';
    // Only settled deliveries keep a row: a refused signature never reaches the store, a 500 rolls its claim back.
    if (outcome === 'processed' || outcome === 'ignored') {
      const claim = await claimDelivery(db, { source: 'github', deliveryId: delivery, eventType: event, payloadSha256: `${i}`.padStart(64, 'f'), receivedAt: at.toISOString() });
      if (claim.claimed) await finishDelivery(db, claim.id, outcome, { processed: outcome === 'processed' ? 1 : 0, ignored: outcome === 'ignored' ? 1 : 0 });
    }
    const line = { ts: at.toISOString(), method: 'POST', path: '/github/webhook', event, delivery, status_code: status, outcome, processed: outcome === 'processed' ? 1 : 0, ignored: outcome === 'ignored' ? 1 : 0, retryable_failures: status >= 500 ? 1 : 0, error };
    appendFileSync(auditLogFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
