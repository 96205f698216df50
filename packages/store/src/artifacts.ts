import type { ArtifactRow, Db } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** An artefact with parsed metadata. */
export interface Artifact extends Omit<ArtifactRow, 'metadata_json'> {
  metadata: Record<string, unknown>;
}

function toArtifact(row: ArtifactRow): Artifact {
  const { metadata_json, ...rest } = row;
  let metadata: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(metadata_json) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    metadata = {};
  }
  return { ...rest, id: Number(rest.id), metadata };
}

/** Adds an artefact row. */
export async function addArtifact(
  db: Db,
  artifact: { runId: string; type: string; uri: string; metadata?: Record<string, unknown> },
  clock: Clock = systemClock,
): Promise<Artifact> {
  const values = {
    run_id: artifact.runId, artifact_type: artifact.type, uri: artifact.uri, metadata_json: JSON.stringify(artifact.metadata ?? {}), created_at: iso(clock()),
  };
  const row = await db.insertInto('artifacts').values(values).returning('id').executeTakeFirstOrThrow();
  return toArtifact({ ...values, id: Number(row.id) });
}

/** The artefact of this type with the highest id, or `undefined`. */
export async function latestArtifact(db: Db, runId: string, type: string): Promise<Artifact | undefined> {
  const row = await db.selectFrom('artifacts').selectAll().where('run_id', '=', runId).where('artifact_type', '=', type).orderBy('id', 'desc').executeTakeFirst();
  return row ? toArtifact(row) : undefined;
}

/** The run's artefacts, newest first, optionally of one type. */
export async function listArtifacts(db: Db, runId: string, options: { limit: number; type?: string }): Promise<Artifact[]> {
  let query = db.selectFrom('artifacts').selectAll().where('run_id', '=', runId);
  if (options.type) query = query.where('artifact_type', '=', options.type);
  return (await query.orderBy('id', 'desc').limit(options.limit).execute()).map(toArtifact);
}

/** Artefacts of one type across all runs (or one run), newest first. */
export async function listArtifactsByType(db: Db, type: string, options: { limit: number; runId?: string | undefined }): Promise<Artifact[]> {
  let query = db.selectFrom('artifacts').selectAll().where('artifact_type', '=', type);
  if (options.runId) query = query.where('run_id', '=', options.runId);
  return (await query.orderBy('id', 'desc').limit(options.limit).execute()).map(toArtifact);
}

/** Merges `patch` into an artefact's metadata. */
export async function updateArtifactMetadata(db: Db, id: number, patch: Record<string, unknown>): Promise<void> {
  const row = await db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return;
  const merged = { ...toArtifact(row).metadata, ...patch };
  await db.updateTable('artifacts').set({ metadata_json: JSON.stringify(merged) }).where('id', '=', id).execute();
}
