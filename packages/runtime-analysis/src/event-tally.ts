import { LIMITS, bump, detach } from './bounded.js';
import type { NormalizedLine, StreamFormat } from './normalize-event.js';
import { parseIntLoose } from './parse-int-loose.js';
import type { AgentEventSummary } from './stream-types.js';

type Json = Record<string, unknown>;

/** The tally's part of the event summary. */
export type EventTallySummary = Pick<
  AgentEventSummary,
  | 'jsonl_line_count' | 'parsed_event_count' | 'parse_error_count' | 'event_type_counts' | 'skill_event_counts' | 'usage' | 'format' | 'format_counts'
  | 'unknown_event_type_counts' | 'unknown_item_type_counts' | 'malformed_lines'
>;

/**
 * The counts of a stream: lines, parsed events, malformed lines (the first
 * {@link LIMITS.malformed} listed), event types, formats, unknown types, skill events and the last token usage.
 */
export class EventTally {
  /** Lines seen, blank and malformed ones included. */
  lines = 0;
  /** Lines that parsed as a JSON object. */
  parsed = 0;
  /** The format of the first decisive line. */
  format: StreamFormat = 'unknown';
  private parseErrors = 0;
  private readonly malformed: Array<{ line: number; reason: string }> = [];
  private readonly eventTypes = new Map<string, number>();
  private readonly typeCache = new Map<string, string>();
  private readonly unknownEvents = new Map<string, number>();
  private readonly unknownItems = new Map<string, number>();
  private readonly formatCounts = new Map<StreamFormat, number>();
  private readonly skills = new Map<string, number>();
  private readonly usage: Record<string, number> = {};

  /** Counts a line that could not be analysed. */
  malformedLine(line: number, reason: string): void {
    this.parseErrors++;
    if (this.malformed.length < LIMITS.malformed) this.malformed.push({ line, reason });
  }

  /** Counts a parsed event; returns its event type (lower-cased, `unknown` when it names none). */
  parsedEvent(p: Json): string {
    this.parsed++;
    const eventType = this.eventTypeOf(p);
    bump(this.eventTypes, eventType, LIMITS.eventTypes);
    return eventType;
  }

  private eventTypeOf(p: Json): string {
    let v: unknown = p.type || p.event || p.name;
    if (!v) {
      const msg = p.msg;
      if (typeof msg === 'object' && msg !== null) v = (msg as Json).type;
    }
    if (!v) return 'unknown';
    const raw = typeof v === 'string' ? v : String(v);
    let t = this.typeCache.get(raw);
    if (t === undefined) {
      t = detach(raw.trim().toLowerCase() || 'unknown');
      if (this.typeCache.size < LIMITS.typeCache) this.typeCache.set(detach(raw), t);
    }
    return t;
  }

  /** Counts what the normaliser made of a line: its format and unknown types. */
  normalized(nl: NormalizedLine): void {
    if (nl.format !== undefined) {
      if (this.format === 'unknown') this.format = nl.format;
      this.formatCounts.set(nl.format, (this.formatCounts.get(nl.format) ?? 0) + 1);
    }
    if (nl.unknownEventType !== undefined) bump(this.unknownEvents, nl.unknownEventType, LIMITS.unknownTypes);
    if (nl.unknownItemType !== undefined) bump(this.unknownItems, nl.unknownItemType, LIMITS.unknownTypes);
  }

  /** Counts a skill event. */
  skill(name: string): void {
    bump(this.skills, name, LIMITS.skills);
  }

  /** Input plus output tokens of the last usage report (live progress). */
  tokens(): number {
    return (this.usage.input_tokens ?? 0) + (this.usage.output_tokens ?? 0);
  }

  /** Keeps the integer fields of a usage report (the last report wins per field, never summed: codex repeats cumulative totals). */
  takeUsage(usage: Record<string, unknown>): void {
    for (const key in usage) {
      const n = parseIntLoose(usage[key]);
      if (n !== null && typeof usage[key] !== 'object') this.usage[key] = n;
    }
  }

  /** The tally's part of the event summary. */
  summary(): EventTallySummary {
    return {
      jsonl_line_count: this.lines,
      parsed_event_count: this.parsed,
      parse_error_count: this.parseErrors,
      event_type_counts: Object.fromEntries(this.eventTypes),
      skill_event_counts: Object.fromEntries(this.skills),
      usage: { ...this.usage },
      format: this.format,
      format_counts: Object.fromEntries(this.formatCounts),
      unknown_event_type_counts: Object.fromEntries(this.unknownEvents),
      unknown_item_type_counts: Object.fromEntries(this.unknownItems),
      malformed_lines: this.malformed,
    };
  }
}
