import { LIMITS, detach } from './bounded.js';

const MAX_MODEL_CHARS = 200;
const MAX_CWD_CHARS = 4096;

/** A name from the stream made safe to record: control characters removed, trimmed, capped; null when empty. */
function clean(raw: string | null, max: number): string | null {
  if (raw === null) return null;
  const s = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return s === '' ? null : detach(s.slice(0, max));
}

/** The session part of the event summary. */
export interface SessionSummary {
  model: string | null;
  result_text: string | null;
  cost_usd: number | null;
}

/**
 * What the agent's harness says about its session (Claude Code's init and result events): the model (the first one
 * named), the working directory, the final result text (the last one, capped at {@link LIMITS.lastMessageChars}) and
 * the cost the engine computed.
 */
export class SessionFacts {
  private model: string | null = null;
  private workdir: string | null = null;
  private resultText: string | null = null;
  private costUsd: number | null = null;

  /** Notes a session event; the first model and working directory named win. */
  session(model: string | null, cwd: string | null): void {
    if (this.model === null) this.model = clean(model, MAX_MODEL_CHARS);
    if (this.workdir === null && cwd !== null && cwd.startsWith('/')) this.workdir = clean(cwd, MAX_CWD_CHARS);
  }

  /** Notes the run's final result (the last one wins). */
  result(text: string | null, costUsd: number | null): void {
    if (text !== null) this.resultText = detach(text.length > LIMITS.lastMessageChars ? text.slice(0, LIMITS.lastMessageChars) : text);
    if (costUsd !== null) this.costUsd = costUsd;
  }

  /** The working directory the harness reported (an absolute path), or undefined. */
  cwd(): string | undefined {
    return this.workdir ?? undefined;
  }

  /** The session part of the event summary. */
  summary(): SessionSummary {
    return { model: this.model, result_text: this.resultText, cost_usd: this.costUsd };
  }
}
