import { mapWebhookEvent } from '@agentpr/github';
import {
  claimDelivery,
  findDeliveryRun,
  findDeliveryRunsByHead,
  finishDelivery,
  insertSettledDelivery,
  iso,
  kyselyDeliveryExecutor,
  lookupDelivery,
  type DeliveryExecutor,
  type DeliveryRun,
  type NewDelivery,
} from '@agentpr/store';
import type { AppContext } from '../context.js';
import { webhookFailingChecks } from './failing-checks.js';
import { applyGithubFact, type GithubFactResult, type RollupTask } from './github-events.js';

/** A verified delivery, ready to process. */
export interface WebhookDeliveryInput {
  /** `X-GitHub-Delivery`. */
  deliveryId: string;
  /** `X-GitHub-Event`. */
  eventName: string;
  /**
   * The payload's fingerprint, stored with the claim: a reused delivery id with another payload is a conflict.
   * Hex SHA-256 of the raw body, or any other fingerprint of it the caller already has (the webhook stores the
   * verified `hmac-sha256:<hex>` when one secret is configured, instead of hashing the body a second time).
   */
  payloadSha256: string;
  /**
   * Decides whether a stored fingerprint that differs from {@link payloadSha256} still names this payload (one
   * stored under another scheme, e.g. a plain SHA-256 from before). Without it, any difference is a conflict.
   */
  isSamePayload?: (storedFingerprint: string) => boolean;
  /** The parsed JSON body. */
  payload: unknown;
  /** Delivery source; default `github`. */
  source?: string;
}

/** One ignored fact without a run (no run matched, or nothing to do). */
export interface UnmatchedResult {
  ok: true;
  ignored: true;
  repo?: string;
  pr_number?: number | null;
  head_sha?: string | null;
  message: string;
}

/** What each fact of a delivery did, in the order of the delivery's targets. */
export type DeliveryFactResult = GithubFactResult | UnmatchedResult;

/**
 * What processing a delivery needs of the app context: the wall clock, the actor the events are recorded as, and
 * the log. Small enough to build in a worker thread that owns its own store connection.
 */
export type DeliveryContext = Pick<AppContext, 'clock' | 'actor' | 'log'>;

/** Names the delivery in every result. */
interface DeliveryRef {
  deliveryId: string;
  eventName: string;
}

/**
 * A claimed and processed delivery: `applied` when at least one fact changed a run (or is waiting for its roll-up),
 * `refused` when nothing applied and a fact hit an illegal transition, `ignored` when nothing matched or mattered.
 * The delivery row keeps the same outcome and the results.
 */
export interface SettledDelivery extends DeliveryRef {
  kind: 'applied' | 'refused' | 'ignored';
  processed: number;
  ignored: number;
  results: DeliveryFactResult[];
  /** Roll-ups to run after answering (a successful check waits for every check of its head). */
  rollups: RollupTask[];
}

/**
 * The result of {@link handleWebhookDelivery}. `duplicate`: this id was processed before with the same payload
 * (nothing done). `conflict`: the id was used before for another payload (nothing done). `failed`: the
 * transaction rolled back, no claim is left, so a redelivery is processed again.
 */
export type WebhookDeliveryResult =
  | SettledDelivery
  | (DeliveryRef & { kind: 'duplicate' })
  | (DeliveryRef & { kind: 'conflict'; error: string })
  | (DeliveryRef & { kind: 'failed'; error: string });

/** The kinds of {@link WebhookDeliveryResult}. */
export type DeliveryOutcome = WebhookDeliveryResult['kind'];

/**
 * Claims the delivery id in `trx`: a duplicate or conflicting delivery's result, or how to record the outcome once
 * the facts are applied. An {@link DeliveryExecutor.exclusive} executor (the SQLite delivery writer) looks the id up
 * and stores the delivery once, settled; any other claims it first (an INSERT that concurrent claims of one id
 * decide by the unique key) and records the outcome with an UPDATE.
 */
async function claim(
  trx: DeliveryExecutor,
  ctx: DeliveryContext,
  input: WebhookDeliveryInput,
  base: DeliveryRef,
): Promise<WebhookDeliveryResult | ((outcome: string, detail: Record<string, unknown>) => Promise<void>)> {
  const delivery: NewDelivery = {
    source: input.source ?? 'github',
    deliveryId: input.deliveryId,
    eventType: input.eventName,
    payloadSha256: input.payloadSha256,
    receivedAt: iso(ctx.clock()),
  };
  let stored: string;
  if (trx.exclusive) {
    const existing = await lookupDelivery(trx, delivery.source, delivery.deliveryId);
    if (!existing) return (outcome, detail) => insertSettledDelivery(trx, delivery, outcome, detail);
    stored = existing.payload_sha256;
  } else {
    const claimed = await claimDelivery(trx, delivery);
    if (claimed.claimed) return (outcome, detail) => finishDelivery(trx, claimed.id, outcome, detail);
    stored = claimed.existing.payload_sha256;
  }
  if (stored !== input.payloadSha256 && !input.isSamePayload?.(stored)) {
    return { ...base, kind: 'conflict', error: 'delivery id reused with different payload' };
  }
  return { ...base, kind: 'duplicate' };
}

async function processDelivery(trx: DeliveryExecutor, ctx: DeliveryContext, input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const base: DeliveryRef = { deliveryId: input.deliveryId, eventName: input.eventName };
  const settle = await claim(trx, ctx, input, base);
  if (typeof settle !== 'function') return settle;
  const mapping = mapWebhookEvent(input.eventName, input.payload, input.deliveryId);
  const results: DeliveryFactResult[] = [];
  const rollups: RollupTask[] = [];
  if (mapping.kind === 'ignored') {
    results.push({ ok: true, ignored: true, ...(mapping.repository ? { repo: `${mapping.repository.owner}/${mapping.repository.repo}` } : {}), message: mapping.message });
  } else {
    const { owner, repo } = mapping.repository;
    // The failing check's name, from the delivery itself (hostile input: bounded and cleaned).
    const failingChecks = webhookFailingChecks(input.eventName, input.payload);
    for (const target of mapping.targets) {
      let runs: DeliveryRun[];
      if (target.prNumber !== null) {
        const run = await findDeliveryRun(trx, { owner, repo, prNumber: target.prNumber });
        runs = run ? [run] : [];
      } else {
        runs = target.headSha ? await findDeliveryRunsByHead(trx, { owner, repo, headSha: target.headSha }) : [];
      }
      if (runs.length === 0) {
        results.push({
          ok: true,
          ignored: true,
          repo: `${owner}/${repo}`,
          pr_number: target.prNumber,
          ...(target.prNumber === null ? { head_sha: target.headSha } : {}),
          message: target.prNumber !== null ? 'no run found for pr_number' : 'no run found for head sha',
        });
        continue;
      }
      for (const run of runs) {
        const applied = await applyGithubFact(trx, ctx, run, target.action, failingChecks);
        results.push(applied.result);
        if (applied.rollup) rollups.push(applied.rollup);
      }
    }
  }
  const ignored = results.filter((r) => r.ignored === true).length;
  const processed = results.length - ignored;
  const refused = results.some((r) => 'reason' in r && r.reason === 'invalid_transition');
  const kind: SettledDelivery['kind'] = processed > 0 ? 'applied' : refused ? 'refused' : 'ignored';
  await settle(kind === 'applied' ? 'processed' : kind, { processed, ignored, results });
  return { ...base, kind, processed, ignored, results, rollups };
}

/** Kysely over the context's store, when no executor is given. */
function defaultStore(ctx: Partial<Pick<AppContext, 'db'>>): DeliveryExecutor {
  if (!ctx.db) throw new Error('handleWebhookDelivery needs a store: pass one, or a context with db');
  return kyselyDeliveryExecutor(ctx.db);
}

function failed(ctx: DeliveryContext, input: WebhookDeliveryInput, error: unknown): WebhookDeliveryResult {
  ctx.log.error('webhook delivery failed', { delivery: input.deliveryId, event: input.eventName, error: (error as Error).message });
  return { kind: 'failed', deliveryId: input.deliveryId, eventName: input.eventName, error: `unhandled webhook error: ${(error as Error).message}` };
}

/**
 * Processes one verified webhook delivery exactly once: in ONE database transaction
 * it claims the delivery id, maps the event, finds each run (repository case-insensitive and PR number, or the
 * pushed head SHA when the event names no PR), applies the facts and records the delivery's outcome. A crash
 * or an error rolls the claim back with the events, so GitHub's retry is processed; a processed delivery
 * is a duplicate forever after. Facts that match no run, are not actionable or hit an illegal transition are
 * settled (`ignored`/`refused`) and kept in the delivery row (outcome `ignored`/`refused`, reasons in `detail_json`) and, where
 * a run matched, as events with `applied: false`. `store` runs the statements: kysely over `ctx.db` by
 * default, or a dedicated SQLite writer (`openSqliteDeliveryWriter`) for speed.
 *
 * @example
 * const r = await handleWebhookDelivery(ctx, { deliveryId, eventName: 'check_run', payloadSha256, payload });
 * if (r.kind === 'failed') log.error(r.error);
 */
export async function handleWebhookDelivery(
  ctx: DeliveryContext & Partial<Pick<AppContext, 'db'>>,
  input: WebhookDeliveryInput,
  store: DeliveryExecutor = defaultStore(ctx),
): Promise<WebhookDeliveryResult> {
  try {
    return await store.transaction((trx) => processDelivery(trx, ctx, input));
  } catch (error) {
    // The transaction rolled back: no claim is left, so GitHub's redelivery is processed again.
    return failed(ctx, input, error);
  }
}

/**
 * Processes several deliveries in ONE transaction (group commit), each exactly as {@link handleWebhookDelivery}
 * would, in order. Nothing is answered before the commit, so a crash loses no answered delivery. If anything
 * fails, the whole batch rolls back and each delivery is processed again in its own transaction, so only the
 * failing one ends `failed`.
 */
export async function handleWebhookDeliveries(
  ctx: DeliveryContext & Partial<Pick<AppContext, 'db'>>,
  inputs: readonly WebhookDeliveryInput[],
  store: DeliveryExecutor = defaultStore(ctx),
): Promise<WebhookDeliveryResult[]> {
  if (inputs.length === 1) return [await handleWebhookDelivery(ctx, inputs[0]!, store)];
  try {
    return await store.transaction(async (trx) => {
      const results: WebhookDeliveryResult[] = [];
      for (const input of inputs) results.push(await processDelivery(trx, ctx, input));
      return results;
    });
  } catch {
    const results: WebhookDeliveryResult[] = [];
    for (const input of inputs) results.push(await handleWebhookDelivery(ctx, input, store));
    return results;
  }
}
