import type { RunGateCheckRow } from '@agentpr/store';
import { obj } from './json-values.js';

/** The latest verdict of one gate on a run, as show-run and inspect-run show it. */
export interface GateVerdictView {
  gate: string;
  phase: string;
  outcome: string;
  reason: string | null;
  message: string;
  /** An operator overrode a block (`--allow-duplicate`, `--ignore-limits`). */
  override: boolean;
  actor: string | null;
  /** When the gate decided (ISO 8601). */
  when: string;
  /** `held` only: when the limit or the window frees. */
  frees_at: string | null;
  /** `ai_policy` only: the repository's stance on AI contributions. */
  stance?: string | null;
  /** `ai_policy` only: the sentences the stance relied on (repository text: capped, control characters removed). */
  quotes?: Array<{ path: string | null; quote: string }>;
}

const MAX_QUOTES = 5;
const MAX_QUOTE_CHARS = 300;

/** Repository text for a terminal: control characters (escape sequences included) become spaces, then capped. */
function clean(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function parseDetail(json: string): Record<string, unknown> {
  try {
    return obj(JSON.parse(json));
  } catch {
    return {};
  }
}

/** The quotes of an ai_policy verdict's detail (`quotes` or `evidence`: strings or `{ path, quote }`). */
function quotesOf(detail: Record<string, unknown>): Array<{ path: string | null; quote: string }> {
  const list = Array.isArray(detail.quotes) ? detail.quotes : Array.isArray(detail.evidence) ? detail.evidence : [];
  return list.slice(0, MAX_QUOTES).flatMap((item: unknown) => {
    if (typeof item === 'string') return [{ path: null, quote: clean(item, MAX_QUOTE_CHARS) }];
    const e = obj(item);
    const quote = typeof e.quote === 'string' ? e.quote : typeof e.text === 'string' ? e.text : null;
    if (quote === null) return [];
    return [{ path: typeof e.path === 'string' ? clean(e.path, 200) : null, quote: clean(quote, MAX_QUOTE_CHARS) }];
  });
}

/**
 * The views of a run's latest gate verdicts (`latestGateChecks`), in gate order: ai_policy, etiquette, duplicates,
 * then any other.
 */
export function gateVerdictViews(rows: readonly RunGateCheckRow[]): GateVerdictView[] {
  const order = ['ai_policy', 'etiquette', 'duplicates'];
  const rank = (gate: string) => (order.includes(gate) ? order.indexOf(gate) : order.length);
  return [...rows]
    .sort((a, b) => rank(a.gate) - rank(b.gate) || a.gate.localeCompare(b.gate))
    .map((row) => {
      const detail = parseDetail(row.detail_json);
      const view: GateVerdictView = {
        gate: row.gate,
        phase: row.phase,
        outcome: row.outcome,
        reason: row.reason_code,
        message: clean(row.message, 500),
        override: Number(row.override) === 1,
        actor: row.actor,
        when: row.created_at,
        frees_at: typeof detail.frees_at === 'string' ? detail.frees_at : null,
      };
      if (row.gate !== 'ai_policy') return view;
      return { ...view, stance: typeof detail.stance === 'string' ? detail.stance : null, quotes: quotesOf(detail) };
    });
}

/** One line per verdict for a terminal: `ai_policy  skip_run  ai_policy_forbidden  (prepare, 2026-12-01T10:00:00Z) message`. */
export function gateVerdictLines(views: readonly GateVerdictView[]): string[] {
  return views.flatMap((v) => {
    const head = `${v.gate}: ${v.outcome}${v.reason ? ` (${v.reason})` : ''}${v.override ? ' [overridden]' : ''} at ${v.phase}, ${v.when}`;
    const lines = [`  ${head}`, `    ${v.message}`];
    if (v.frees_at) lines.push(`    frees at ${v.frees_at}`);
    if (v.stance) lines.push(`    stance: ${v.stance}`);
    for (const q of v.quotes ?? []) lines.push(`    "${q.quote}"${q.path ? ` (${q.path})` : ''}`);
    return lines;
  });
}
