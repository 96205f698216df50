import { openRotatingJsonl, type RotatingJsonl } from '@agentpr/logging';
import { redactSecrets } from './bot-token.js';

export { rotateFile } from '@agentpr/logging';

/** Longest text kept in an audit field. */
export const AUDIT_TEXT_LIMIT = 400;

/** Outcomes of a handled command in the audit log. */
export type CommandOutcome = 'ok' | 'error' | 'unauthorized' | 'rate_limited' | 'send_error';

/** One handled command, as written to the audit log. `ts` is added by the log. */
export interface CommandAuditEntry {
  update_id: number;
  chat_id: number;
  command: string;
  outcome: CommandOutcome;
  /** A short machine-friendly reason: `usage`, `run_not_found`, `chat_not_allowlisted`, … */
  detail: string;
  request_text: string;
  response_text: string;
  /**
   * Stranger lines only: attempts from chats that are not allowlisted that were dropped from the audit log (by
   * sampling or by the stranger budget) since the previous stranger line.
   */
  unaudited_since_last?: number | undefined;
}

/** A push notification sent (or not) to an admin chat. */
export interface NotificationAuditEntry {
  chat_id: number;
  run_id: string;
  /** What it announced: `NEEDS_HUMAN_REVIEW`, `DONE`, `pr_request`, … */
  reason: string;
  outcome: 'ok' | 'send_error';
  detail: string;
}

/**
 * One line of the manager LLM's trail (`assistant_question`, `assistant_tool_call`, `assistant_reply`,
 * `assistant_action`): the `AssistantAuditRecord` of @agentpr/assistant, typed by shape so this package needs none of
 * it. Its texts are redacted again and cut to {@link ASSISTANT_AUDIT_TEXT_LIMIT}; confirm tokens never belong in it.
 */
export type AssistantAuditEntry = { kind: `assistant_${string}` } & Record<string, string | number | boolean | null>;

/** Longest text kept in an assistant audit field (a question, a reply). */
export const ASSISTANT_AUDIT_TEXT_LIMIT = 2000;

/** Where and how the audit log is written. */
export interface AuditLogOptions {
  /** Absolute path of the JSONL file; missing parent directories are created with mode 0700. */
  file: string;
  /** Rotate when the file would grow past this many bytes (policy `audit_max_bytes`, default 10 MiB). */
  maxBytes: number;
  /** Rotated files to keep: `<file>.1` … `<file>.<keepFiles>` (policy `audit_keep_files`, default 5). */
  keepFiles: number;
  clock: () => Date;
  /** Strings that must never reach the file (the bot token). Confirm-token-shaped text is always removed. */
  secrets?: readonly string[];
  /** Called when a line cannot be written; the bot keeps running. */
  onError?: (error: unknown) => void;
}

/** Cuts text to `limit` characters: longer text becomes its first `limit − 3` characters and `...`. */
export function cutText(text: string, limit = AUDIT_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  let end = limit - 3;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}...`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The bot's JSONL audit log: one compact object per handled command, poll error or notification.
 * Texts pass through {@link redactSecrets} and are cut to 400 characters, so neither the bot token nor a PR
 * confirm token is ever written. The file rotates by size through the same writer as the webhook audit log
 * (`openRotatingJsonl` of @agentpr/logging). Writes are synchronous appends: one process per bot token
 * writes it, and a line is on disk before the next update.
 * The file is created (and kept) with mode 0600 whatever the umask, and is never opened through a symlink, so
 * a link planted at its path can neither receive the lines nor have its target's mode changed.
 *
 * @example
 * const audit = new TelegramAuditLog({ file: '/var/lib/agentpr/reports/telegram_audit.jsonl', maxBytes: 10_485_760, keepFiles: 5, clock: () => new Date() });
 * audit.pollError('network: connection refused');
 */
export class TelegramAuditLog {
  readonly file: string;
  readonly #options: AuditLogOptions;
  readonly #log: RotatingJsonl;

  constructor(options: AuditLogOptions) {
    this.file = options.file;
    this.#options = options;
    this.#log = openRotatingJsonl(options.file, {
      maxBytes: options.maxBytes,
      keepFiles: options.keepFiles,
      sync: true,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** Writes one handled command. */
  command(entry: CommandAuditEntry): void {
    this.#write({
      ts: this.#now(),
      update_id: entry.update_id,
      chat_id: entry.chat_id,
      command: this.#text(entry.command),
      outcome: entry.outcome,
      detail: this.#text(entry.detail),
      request_text: this.#text(entry.request_text),
      response_text: this.#text(entry.response_text),
      ...(entry.unaudited_since_last === undefined ? {} : { unaudited_since_last: entry.unaudited_since_last }),
    });
  }

  /** Writes a failed `getUpdates`. */
  pollError(error: string): void {
    this.#write({ ts: this.#now(), kind: 'poll_error', error: this.#text(error) });
  }

  /** Writes one notification attempt (addition). */
  notification(entry: NotificationAuditEntry): void {
    this.#write({
      ts: this.#now(),
      kind: 'notification',
      chat_id: entry.chat_id,
      run_id: this.#text(entry.run_id),
      reason: entry.reason,
      outcome: entry.outcome,
      detail: this.#text(entry.detail),
    });
  }

  /**
   * Writes one line of the manager LLM's trail into the same file as the commands, so one file tells what a chat
   * asked, which actions the model called and what a tap confirmed.
   */
  assistant(entry: AssistantAuditEntry): void {
    const line: Record<string, unknown> = { ts: this.#now() };
    for (const [key, value] of Object.entries(entry)) {
      line[key] = typeof value === 'string' ? cutText(redactSecrets(value, this.#options.secrets ?? []), ASSISTANT_AUDIT_TEXT_LIMIT) : value;
    }
    this.#write(line);
  }

  #now(): string {
    return this.#options.clock().toISOString();
  }

  #text(text: string): string {
    return cutText(redactSecrets(text, this.#options.secrets ?? []));
  }

  #write(record: Record<string, unknown>): void {
    this.#log.write(record);
  }
}
