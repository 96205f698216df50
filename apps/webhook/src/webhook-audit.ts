import { performance } from 'node:perf_hooks';
import { AgentprError } from '@agentpr/orchestrator';
import { iso } from '@agentpr/store';
import { openRotatingJsonl, truncateAuditField, type RotatingJsonl } from '@agentpr/logging';
import { createAuditRateLimiter } from './audit-rate-limiter.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** One audit line's fields (the JSONL keys are snake_case). */
export interface AuditFields {
  path: string;
  client?: string;
  event: string;
  delivery: string;
  status: number;
  outcome: string;
  processed?: number;
  ignored?: number;
  retryableFailures?: number;
  error?: string;
  method?: string;
}

/** The webhook's audit trail: one JSONL line per POST answer and roll-up, in a rotating file. */
export interface WebhookAudit {
  /** A line for a request whose signature checked out (or a roll-up). */
  write(fields: AuditFields): void;
  /** A line for a request without a valid signature: rate-limited, header-derived fields cut to 100 characters. */
  writeUnverified(fields: AuditFields): void;
  /** Writes the `audit_suppressed` summary line when lines were suppressed since the last one. */
  writeSuppressedSummary(): void;
  /** Resolves when the lines written so far are on disk. */
  flush(): Promise<void>;
  /** Stops the summary timer, writes a last summary and closes the file. */
  close(): Promise<void>;
}

/** Options of {@link createWebhookAudit}. */
export interface WebhookAuditOptions {
  /** The JSONL file (absolute); nothing is written when omitted. */
  file?: string | undefined;
  maxBytes?: number | undefined;
  keepFiles?: number | undefined;
  /** The webhook path, named in summary lines. */
  path: string;
  clock: () => Date;
  metrics: WebhookMetrics;
  /** Lines of requests without a valid signature: at once, and per second after that. Default 20 and 1. */
  unverifiedBurst?: number | undefined;
  unverifiedPerSecond?: number | undefined;
}

/** A summary of suppressed audit lines is written at most this often. */
const SUPPRESSED_SUMMARY_MS = 10_000;

/** Opens the audit log (at least 1 KiB per file); a directory that cannot be made is one line naming the flag. */
function openAudit(file: string, maxBytes: number | undefined, keepFiles: number | undefined): RotatingJsonl {
  try {
    return openRotatingJsonl(file, { maxBytes: Math.max(1024, maxBytes ?? 10 * 1024 * 1024), keepFiles: Math.max(1, keepFiles ?? 5) });
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException;
    if (e.syscall !== 'mkdir' && e.syscall !== 'chmod' && e.syscall !== 'stat') throw cause;
    throw new AgentprError('invalid_input', `cannot create the directory of the audit log ${file}: ${e.message}; pass --audit-log-file under a writable directory`, { cause });
  }
}

/**
 * Opens the webhook's audit trail. Anyone can cause the lines of requests without a valid signature, so they
 * go through a token bucket; what it drops is counted (`metrics.auditSuppressed`) and summarised every 10 s in one
 * `audit_suppressed` line, so a flood cannot rotate real entries away.
 */
export function createWebhookAudit(options: WebhookAuditOptions): WebhookAudit {
  const file = options.file ? openAudit(options.file, options.maxBytes, options.keepFiles) : undefined;
  const limiter = createAuditRateLimiter({
    now: () => performance.now(),
    ...(options.unverifiedBurst !== undefined ? { burst: options.unverifiedBurst } : {}),
    ...(options.unverifiedPerSecond !== undefined ? { perSecond: options.unverifiedPerSecond } : {}),
  });
  const line = (f: AuditFields, cut: (s: string) => string) => {
    file?.write({
      ts: iso(options.clock()),
      method: f.method ?? 'POST',
      path: cut(f.path),
      ...(f.client !== undefined ? { client: cut(f.client) } : {}),
      event: cut(f.event),
      delivery: cut(f.delivery),
      status_code: f.status,
      outcome: f.outcome,
      processed: f.processed ?? 0,
      ignored: f.ignored ?? 0,
      retryable_failures: f.retryableFailures ?? 0,
      error: f.error ?? '',
    });
  };
  const writeSuppressedSummary = () => {
    const suppressed = limiter.takeSuppressed();
    if (!suppressed) return;
    file?.write({
      ts: iso(options.clock()),
      method: 'POST',
      path: options.path,
      event: '',
      delivery: '',
      status_code: 0,
      outcome: 'audit_suppressed',
      processed: 0,
      ignored: 0,
      retryable_failures: 0,
      error: `${suppressed.count} audit lines of requests without a valid signature were suppressed (rate limit)`,
      suppressed: suppressed.count,
      suppressed_outcomes: suppressed.byOutcome,
    });
  };
  const timer = setInterval(writeSuppressedSummary, SUPPRESSED_SUMMARY_MS);
  timer.unref();
  return {
    write: (f) => line(f, (s) => s),
    writeUnverified(f) {
      if (limiter.admit(f.outcome)) line({ ...f, error: truncateAuditField(f.error ?? '', 300) }, (v) => truncateAuditField(v));
      else options.metrics.auditSuppressed++;
    },
    writeSuppressedSummary,
    flush: async () => {
      writeSuppressedSummary();
      await file?.flush();
    },
    close: async () => {
      clearInterval(timer);
      writeSuppressedSummary();
      await file?.close();
    },
  };
}
