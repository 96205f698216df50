import type { Db } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** A classification of a repository's stance on AI contributions, to record (see `repo_policy_checks`). */
export interface NewRepoPolicyCheck {
  owner: string;
  repo: string;
  /** `forbidden` | `issue_first` | `disclosure_required` | `allowed` | `unknown`. */
  stance: string;
  /** The sentences the stance relied on (`{ path, quote, rule }`), stored as JSON. */
  evidence: readonly unknown[];
  /** Every document read (`{ path, kind, sha, bytes, … }`), stored as JSON. */
  documents: readonly unknown[];
}

/** A stored classification, its JSON parsed (not validated: callers check the shape they need). */
export interface RepoPolicyCheck {
  id: number;
  owner: string;
  repo: string;
  stance: string;
  evidence: unknown;
  documents: unknown;
  checkedAt: string;
}

/** Records one classification of `owner/repo` (kept as history; the newest wins); returns its id. */
export async function insertRepoPolicyCheck(db: Db, check: NewRepoPolicyCheck, clock: Clock = systemClock): Promise<number> {
  const row = await db
    .insertInto('repo_policy_checks')
    .values({
      owner: check.owner,
      repo: check.repo,
      owner_key: check.owner.toLowerCase(),
      repo_key: check.repo.toLowerCase(),
      stance: check.stance,
      evidence_json: JSON.stringify(check.evidence),
      documents_json: JSON.stringify(check.documents),
      checked_at: iso(clock()),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * The newest classification of `owner/repo` (owner and repository compared case-insensitively), or undefined when
 * the repository was never classified. Ties on `checked_at` go to the row recorded last.
 */
export async function latestRepoPolicyCheck(db: Db, owner: string, repo: string): Promise<RepoPolicyCheck | undefined> {
  const row = await db
    .selectFrom('repo_policy_checks')
    .selectAll()
    .where('owner_key', '=', owner.toLowerCase())
    .where('repo_key', '=', repo.toLowerCase())
    .orderBy('checked_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    owner: row.owner,
    repo: row.repo,
    stance: row.stance,
    evidence: parsed(row.evidence_json),
    documents: parsed(row.documents_json),
    checkedAt: row.checked_at,
  };
}
