import * as v from 'valibot';
import { listArtifacts, type Db } from '@agentpr/store';
import { readAgentFile } from '@agentpr/workspace';
import { shown } from './run-text.js';

/** One line of a verdict's evidence, as shown: the note, the command it is about, and that command's exit status. */
export interface EvidenceLine {
  note: string;
  command: string | null;
  commandExit: number | null;
  /** The line of the event stream it comes from, when it does. */
  streamLine: number | null;
}

/** The agent attempts whose runtime reports are read (the newest), and the most bytes read from each. */
export const EVIDENCE_REPORTS = 20;
const MAX_REPORT_BYTES = 4 * 1024 * 1024;
/** The most evidence lines kept per attempt (the classifier writes about 20), and characters per line. */
const MAX_LINES = 24;
export const EVIDENCE_LINE_CHARS = 500;

const EvidenceSchema = v.looseObject({
  note: v.string(),
  command: v.optional(v.nullable(v.string()), null),
  exit_code: v.optional(v.nullable(v.number()), null),
  line: v.optional(v.nullable(v.number()), null),
});

const ReportSchema = v.looseObject({
  runtime: v.looseObject({ attempt_no: v.pipe(v.number(), v.integer()) }),
  classification: v.looseObject({ evidence: v.array(v.unknown()) }),
});

function evidenceLines(items: readonly unknown[], redact: (text: string) => string): EvidenceLine[] {
  return items.slice(0, MAX_LINES).flatMap((item) => {
    const e = v.safeParse(EvidenceSchema, item);
    if (!e.success) return [];
    const { note, command, exit_code, line } = e.output;
    return [
      {
        note: shown(redact, note, { max: EVIDENCE_LINE_CHARS }),
        command: command === null ? null : shown(redact, command, { max: EVIDENCE_LINE_CHARS }),
        commandExit: exit_code,
        streamLine: line,
      },
    ];
  });
}

/**
 * The evidence lines of the run's newest agent attempts, by agent attempt number: read from each attempt's runtime
 * report (`agent_runtime_report` artefacts, whose `runtime.attempt_no` is the agent step's attempt number) as a
 * hostile file (no symlinks, inside the reports directory, size-capped), redacted and cut. A report that is missing,
 * unreadable or not in the expected shape gives no entry; the attempt then shows none.
 */
export async function attemptEvidence(db: Db, runId: string, reportsDir: string, redact: (text: string) => string): Promise<Map<number, EvidenceLine[]>> {
  const reports = await listArtifacts(db, runId, { type: 'agent_runtime_report', limit: EVIDENCE_REPORTS });
  const reads = await Promise.all(reports.map((r) => readAgentFile(r.uri, { maxBytes: MAX_REPORT_BYTES, within: reportsDir })));
  const byAttempt = new Map<number, EvidenceLine[]>();
  for (const read of reads) {
    if (!read.ok || read.truncated) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(read.data.toString('utf8'));
    } catch {
      continue;
    }
    const report = v.safeParse(ReportSchema, raw);
    // Newest first: an attempt number seen twice (a report written again) keeps its newest report.
    if (!report.success || byAttempt.has(report.output.runtime.attempt_no)) continue;
    byAttempt.set(report.output.runtime.attempt_no, evidenceLines(report.output.classification.evidence, redact));
  }
  return byAttempt;
}
