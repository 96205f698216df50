import { LIMITS, detach } from './bounded.js';
import type { RefusedAction } from './stream-types.js';

const MAX_REASON_CHARS = 160;

/** The first non-blank line of an engine's refusal text, one line of Markdown-safe text, capped. */
export function refusalReason(text: string | null | undefined): string {
  const head = (text ?? '').slice(0, 4096);
  const line = head.split('\n').find((l) => l.trim() !== '') ?? '';
  const s = line.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/`/g, "'").trim();
  return s.length <= MAX_REASON_CHARS ? s : `${s.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/**
 * How an action was refused, in one clause for evidence notes.
 *
 * @example
 * refusalClause({ outcome: 'denied', refused_line: 3, reason: 'Path is outside allowed working directories', … })
 * // → 'denied by claude at line 3 ("Path is outside allowed working directories")'
 */
export function refusalClause(a: Pick<RefusedAction, 'outcome' | 'tool' | 'refused_line' | 'reason'>): string {
  const at = a.refused_line > 0 ? ` at line ${a.refused_line}` : '';
  const why = a.reason ? ` ("${a.reason}")` : '';
  return a.outcome === 'denied' ? `denied by claude${at}${why}` : `${a.tool} failed${at}${why}`;
}

/**
 * The tool calls of a stream that never happened (Claude Code's permission denials, file changes that failed), one
 * per call and target, at most {@link LIMITS.refused}. A denial named twice (the `permission_denied` event and the
 * result's `permission_denials`) is one entry; a later mention fills in a reason the first lacked.
 */
export class RefusedActions {
  private readonly items: RefusedAction[] = [];
  private readonly byKey = new Map<string, RefusedAction>();
  private readonly byId = new Map<string, RefusedAction>();

  /** Records a refused call. */
  add(a: RefusedAction): void {
    const itemId = a.item_id === null ? null : detach(a.item_id);
    const own: RefusedAction = { ...a, tool: detach(a.tool), target: detach(a.target), reason: refusalReason(a.reason), item_id: itemId };
    const id = own.item_id;
    const key = id === null ? null : `${id}\u0000${own.target}`;
    const known = id === null ? undefined : (this.byKey.get(key!) ?? (own.target === '' ? this.byId.get(id) : undefined));
    if (known) {
      if (!known.reason && own.reason) known.reason = own.reason;
      return;
    }
    if (this.items.length >= LIMITS.refused) return;
    this.items.push(own);
    if (id !== null) {
      this.byKey.set(key!, own);
      if (!this.byId.has(id)) this.byId.set(id, own);
    }
  }

  /** The (first) refused call with this item id, if recorded. */
  get(itemId: string | null): RefusedAction | undefined {
    return itemId === null ? undefined : this.byId.get(itemId);
  }

  /** The refused calls in order of refusal. */
  list(): RefusedAction[] {
    return [...this.items].sort((x, y) => x.refused_line - y.refused_line);
  }
}
