import { listEvents, type Db } from '@agentpr/store';
import { SUCCESS_CONCLUSIONS } from '@agentpr/state-machine';
import { int, strings } from './json-values.js';

/** The run's latest CI verdict on its latest push, as inspect-run shows it. */
export interface CiVerdictView {
  conclusion: string;
  red: boolean;
  pr_number: number | null;
  head_sha: string | null;
  /** The failing checks' names the verdict recorded (cleaned again for a terminal), or null when it recorded none. */
  failing_checks: string[] | null;
  at: string;
}

const MAX_NAMES = 20;
const MAX_NAME = 200;
// C0 and C1 controls, DEL and the bidi controls: a name is shown on one terminal line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function names(value: unknown): string[] | null {
  const out: string[] = [];
  for (const raw of strings(value)) {
    const name = Array.from(raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim()).slice(0, MAX_NAME).join('');
    if (name && !out.includes(name)) out.push(name);
    if (out.length >= MAX_NAMES) break;
  }
  return out.length > 0 ? out : null;
}

/**
 * The newest `github.check.completed` event since the run's latest push (among its 50 newest events), or null
 * when GitHub has said nothing about the push yet. Its `failing_checks` are the names sync-github or the webhook
 * recorded when the verdict arrived.
 */
export async function latestCiVerdict(db: Db, runId: string): Promise<CiVerdictView | null> {
  for (const event of await listEvents(db, runId, { limit: 50 })) {
    if (event.event_type === 'worker.push.completed') return null;
    if (event.event_type !== 'github.check.completed') continue;
    const p = event.payload;
    const conclusion = typeof p.conclusion === 'string' ? p.conclusion.trim().toLowerCase() : 'unknown';
    const red = !SUCCESS_CONCLUSIONS.has(conclusion);
    return {
      conclusion,
      red,
      pr_number: int(p.pr_number, null),
      head_sha: typeof p.head_sha === 'string' ? p.head_sha : null,
      failing_checks: red ? names(p.failing_checks) : null,
      at: event.created_at,
    };
  }
  return null;
}
