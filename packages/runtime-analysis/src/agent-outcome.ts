import { LIMITS, detach, excerpt, sentenceAround } from './bounded.js';
import type { StreamFormat } from './normalize-event.js';
import type { AgentReportedStatus, FailureMessage, StreamAnalysis } from './stream-types.js';

const STATUS = /\bstatus\b["'`*_\s]*[:=]["'`*_\s]*(PASS(?:ED)?|NEEDS[ _-]REVIEW|FAIL(?:ED)?|SKIP(?:PED)?)\b/i;

/** The outcome part of a {@link StreamAnalysis}. */
export type AgentOutcomeResult = Pick<StreamAnalysis, 'agent_status' | 'last_agent_message' | 'failure_messages' | 'warnings' | 'turns' | 'inferred_exit_code'>;

/**
 * How the agent's run ended, as the stream tells it: turns, the last agent message and the status it reports,
 * failure texts and warnings, and the exit code the stream implies.
 */
export class AgentOutcome {
  private lastMessage: string | null = null;
  private lastMessageLine = 0;
  private readonly failureMessages: FailureMessage[] = [];
  private readonly warnings: string[] = [];
  private turnsStarted = 0;
  private turnsCompleted = 0;
  private turnsFailed = 0;
  private lastTurn: 'completed' | 'failed' | null = null;

  turnStarted(): void {
    this.turnsStarted++;
  }

  turnCompleted(): void {
    this.turnsCompleted++;
    this.lastTurn = 'completed';
  }

  turnFailed(line: number, message: string): void {
    this.turnsFailed++;
    this.lastTurn = 'failed';
    this.failure(line, 'turn.failed', message);
  }

  /** A top-level error event (a failure text source). */
  error(line: number, message: string): void {
    this.failure(line, 'error', message);
  }

  /** A non-fatal warning item. */
  warning(message: string): void {
    if (this.warnings.length < LIMITS.warnings) this.warnings.push(detach(excerpt(message, 300)));
  }

  /** Keeps an agent message as the last one; returns its head (the first {@link LIMITS.messageChars} characters). */
  agentMessage(text: string, line: number): string {
    const head = text.length > LIMITS.messageChars ? text.slice(0, LIMITS.messageChars) : text;
    this.lastMessage = detach(head);
    this.lastMessageLine = line;
    return head;
  }

  private failure(line: number, source: FailureMessage['source'], message: string): void {
    if (this.failureMessages.length < LIMITS.failureMessages) this.failureMessages.push({ line, source, message: detach(excerpt(message, 2000)) });
  }

  private agentStatus(): AgentReportedStatus | null {
    if (!this.lastMessage) return null;
    const m = STATUS.exec(this.lastMessage);
    if (!m) return null;
    const raw = m[1]!.toUpperCase().replace(/[_-]/g, ' ');
    const status = raw.startsWith('PASS') ? 'PASS' : raw.startsWith('NEEDS') ? 'NEEDS REVIEW' : raw.startsWith('FAIL') ? 'FAIL' : 'SKIP';
    return { status, line: this.lastMessageLine, excerpt: sentenceAround(this.lastMessage, m.index, 160) };
  }

  private inferExitCode(parsed: number, format: StreamFormat): { exit_code: number | null; source: string } {
    if (this.lastTurn === 'failed') return { exit_code: 1, source: 'the last turn failed (turn.failed)' };
    if (this.lastTurn === 'completed') return { exit_code: 0, source: 'the last turn completed (turn.completed)' };
    if (parsed === 0) return { exit_code: null, source: 'no events parsed' };
    if (format === 'codex_legacy' || format === 'codex_experimental_json') {
      return this.failureMessages.length > 0 ? { exit_code: 1, source: 'error events in a format without turn results' } : { exit_code: 0, source: 'no error events in a format without turn results' };
    }
    return { exit_code: 1, source: 'the stream ended before the turn finished (interrupted or truncated)' };
  }

  /** The outcome; `parsed` and `format` come from the event tally. */
  result(parsed: number, format: StreamFormat): AgentOutcomeResult {
    return {
      agent_status: this.agentStatus(),
      last_agent_message: this.lastMessage === null ? null : this.lastMessage.slice(0, LIMITS.lastMessageChars),
      failure_messages: this.failureMessages,
      warnings: this.warnings,
      turns: { started: this.turnsStarted, completed: this.turnsCompleted, failed: this.turnsFailed, last: this.lastTurn },
      inferred_exit_code: this.inferExitCode(parsed, format),
    };
  }
}
