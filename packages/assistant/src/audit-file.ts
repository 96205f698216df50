import { openRotatingJsonl } from '@agentpr/logging';
import type { SecretRedactor } from '@agentpr/orchestrator';
import { systemClock } from '@agentpr/store';
import type { AssistantAuditRecord, AssistantAuditSink } from './ask-types.js';
import { cut } from './text.js';

/** Options of {@link openAssistantAuditFile}. */
export interface AssistantAuditFileOptions {
  /** Rotate past this many bytes; default 10 MiB. */
  maxBytes?: number | undefined;
  /** Rotated files kept; default 5. */
  keepFiles?: number | undefined;
  /** Applied again to every text field before it is written (the loop already redacts what it hands over). */
  redactor?: SecretRedactor | undefined;
  /** Stamps each record's `ts`; default the system clock. */
  clock?: (() => Date) | undefined;
  /** Called when a line cannot be written (the writer never throws). */
  onError?: ((error: unknown) => void) | undefined;
}

/** Longest text field of one audit line. */
const MAX_FIELD_CHARS = 4_000;

/** An audit sink that also flushes and closes its file. */
export interface AssistantAuditFile extends AssistantAuditSink {
  readonly file: string;
  close(): Promise<void>;
}

function scrubbed(record: AssistantAuditRecord, redactor: SecretRedactor | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = typeof value === 'string' ? cut(redactor ? redactor.redact(value) : value, MAX_FIELD_CHARS) : value;
  return out;
}

/**
 * The assistant's audit trail as a rotating JSONL file (0600, never through a symlink, one line written before
 * `write` returns): each record stamped with `ts`, redacted again and its texts cut.
 *
 * @example
 * const audit = openAssistantAuditFile(join(ctx.paths.reportsDir, 'assistant_audit.jsonl'), { redactor: redactorFor(ctx), clock: ctx.clock });
 */
export function openAssistantAuditFile(file: string, options: AssistantAuditFileOptions = {}): AssistantAuditFile {
  const clock = options.clock ?? systemClock;
  const writer = openRotatingJsonl(file, { maxBytes: options.maxBytes, keepFiles: options.keepFiles, sync: true, onError: options.onError });
  return {
    file: writer.file,
    write(record) {
      writer.write({ ts: clock().toISOString(), ...scrubbed(record, options.redactor) });
    },
    close: () => writer.close(),
  };
}
