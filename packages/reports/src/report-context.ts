import type { Clock, Db, DialectName } from '@agentpr/store';

/** Where the reports read and write files. Every path is absolute. */
export interface ReportPaths {
  /** `<data>/reports`: run reports are read from it and skills feedback is written to it. */
  reportsDir: string;
  /** The manager policy file; `analyze` judges with its thresholds (missing → built-in defaults). */
  policyFile: string;
}

/** Options of {@link ArtifactWriter.writeNew}. */
export interface WriteArtifactOptions {
  /** Skip the secret redaction (bytes the caller already redacted, or content that is not text). Default false. */
  raw?: boolean;
}

/**
 * Writes agentpr's own private files (the orchestrator's `ArtifactWriter` port, copied so the reports do not
 * depend on the orchestrator): 0600 files under 0700 directories, never overwriting, redacted.
 */
export interface ArtifactWriter {
  /**
   * Creates `<dir>/<prefix><stamp><suffix>` (stamp from the wall clock, `-2`, `-3`, … on a collision) and returns
   * its absolute path. `dir` is created 0700 when missing.
   */
  writeNew(dir: string, prefix: string, suffix: string, content: string, options?: WriteArtifactOptions): string;
}

/**
 * What the reports need from the app: the store, the wall clock, two paths and the artifact writer. The
 * orchestrator's `AppContext` satisfies it structurally, so an app passes its context as it is.
 */
export interface ReportContext {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  paths: ReportPaths;
  artifacts: ArtifactWriter;
}
