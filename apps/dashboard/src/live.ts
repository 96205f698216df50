import type { Logger } from '@agentpr/orchestrator';
import { RUN_STATES } from '@agentpr/state-machine';
import { runsChangedSince, type Db, type StateChangeCursor } from '@agentpr/store';

/** Where the hub sends what it has to say; one per open stream (see `live-route.ts`). */
export interface LiveSink {
  /** A `runs` event (`data` is JSON) or a heartbeat comment; must not block the hub. */
  send(message: LiveMessage): void;
  /** The hub is stopping: end the stream now. */
  end(): void;
}

/** What the hub broadcasts. */
export type LiveMessage = { kind: 'runs'; runIds: readonly string[]; more: boolean } | { kind: 'heartbeat' };

/** What a {@link LiveHub} is built with. */
export interface LiveHubOptions {
  db: Db;
  /** The wall clock: the first look starts a few seconds before "now". */
  clock: () => Date;
  /** How often to look for changed runs while a stream is open. */
  pollMs: number;
  /** The most open streams (default 32); more are refused. */
  maxStreams?: number;
  /** How often a heartbeat comment keeps idle connections (and proxies) open (default 15 s). */
  heartbeatMs?: number;
  log: Logger;
  redact: (text: string) => string;
}

/** The most runs one look reads (pages of 500), and the most run ids one event names. */
const PAGE = 500;
const MAX_PAGES = 20;
const MAX_IDS = 200;
/** The first look starts this long before the clock's "now", so a writer whose clock lags a little is not missed. */
const START_SLACK_MS = 5_000;

/**
 * The one poller behind every live stream. While at least one stream is open it asks the store for runs changed
 * since its cursor (`runsChangedSince`, keyed by `runs.updated_at` then `run_id`) every `pollMs`, and sends each
 * stream a `runs` event with the changed run ids, plus a heartbeat every `heartbeatMs`. With no stream open it does
 * not touch the store. A failed look is logged (redacted) and retried with a growing delay, up to 30 s.
 */
export class LiveHub {
  private readonly sinks = new Set<LiveSink>();
  private readonly maxStreams: number;
  private readonly heartbeatMs: number;
  private cursor: StateChangeCursor | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: LiveHubOptions) {
    this.maxStreams = options.maxStreams ?? 32;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  /** How many streams are open. */
  get size(): number {
    return this.sinks.size;
  }

  /** Whether one more stream may open now. */
  hasRoom(): boolean {
    return !this.closed && this.sinks.size < this.maxStreams;
  }

  /** Adds a stream; returns how to remove it, or undefined when the hub is full or stopped. */
  subscribe(sink: LiveSink): (() => void) | undefined {
    if (!this.hasRoom()) return undefined;
    this.sinks.add(sink);
    if (this.sinks.size === 1) this.start();
    return () => {
      if (this.sinks.delete(sink) && this.sinks.size === 0) this.stop();
    };
  }

  /** Ends every stream at once and refuses new ones; returns without waiting for clients. */
  close(): void {
    this.closed = true;
    this.stop();
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const sink of sinks) sink.end();
  }

  private start(): void {
    this.generation += 1;
    this.failures = 0;
    this.cursor = { at: new Date(this.options.clock().getTime() - START_SLACK_MS).toISOString(), run_id: '' };
    this.schedule(this.options.pollMs);
    this.heartbeatTimer = setInterval(() => this.broadcast({ kind: 'heartbeat' }), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private stop(): void {
    this.generation += 1;
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    this.pollTimer = undefined;
    this.heartbeatTimer = undefined;
    this.cursor = undefined;
  }

  private schedule(ms: number): void {
    const generation = this.generation;
    this.pollTimer = setTimeout(() => void this.poll(generation), ms);
    this.pollTimer.unref();
  }

  private async poll(generation: number): Promise<void> {
    try {
      const ids = await this.changedRunIds(generation);
      if (generation !== this.generation) return;
      this.failures = 0;
      if (ids.length > 0) this.broadcast({ kind: 'runs', runIds: ids.slice(0, MAX_IDS), more: ids.length > MAX_IDS });
    } catch (error) {
      if (generation !== this.generation) return;
      this.failures += 1;
      this.options.log.warn('dashboard live: looking for changed runs failed', {
        error: this.options.redact(error instanceof Error ? error.message : String(error)),
      });
    }
    if (generation === this.generation) this.schedule(Math.min(30_000, this.options.pollMs * 2 ** this.failures));
  }

  /** The ids of runs changed since the cursor (distinct, oldest change first), moving the cursor past them. */
  private async changedRunIds(generation: number): Promise<string[]> {
    const ids = new Set<string>();
    for (let page = 0; page < MAX_PAGES && this.cursor; page += 1) {
      const rows = await runsChangedSince(this.options.db, this.cursor, RUN_STATES, PAGE);
      if (generation !== this.generation) return [];
      for (const row of rows) ids.add(row.run_id);
      const last = rows.at(-1);
      if (last) this.cursor = { at: last.updated_at, run_id: last.run_id };
      if (rows.length < PAGE) break;
    }
    return [...ids];
  }

  private broadcast(message: LiveMessage): void {
    for (const sink of this.sinks) sink.send(message);
  }
}
