import { formatDuration } from '@agentpr/runtime-analysis';
import { listAttemptSummaries, type AttemptSummary, type Db } from '@agentpr/store';

// The bot's run view names which engine ran each agent attempt. Replies are plain text (no parse mode), so nothing is
// escaped; what matters is that a hostile name cannot reorder or hide the text around it, nor flood the chat.
// (The reports package has the same label for the CLI and dashboard; the orchestrator does not depend on it.)

/** Agent attempts the bot's run view lists, the newest first. */
export const BOT_AGENT_ATTEMPTS = 3;
/** Agent attempts read to count them per engine (far beyond any retry budget). */
const READ_ATTEMPTS = 200;
/** The longest engine or model name shown; real ones are far shorter. */
const NAME_CHARS = 80;

// C0/C1 controls, the line and paragraph separators and the bidi controls.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A name from the store as the bot shows it: controls replaced; an over-long one described (a cut could keep part of a secret). */
function name(value: string | null): string | null {
  const clean = (value ?? '').replace(CONTROLS, '\uFFFD').trim();
  if (!clean) return null;
  const length = Array.from(clean).length;
  return length > NAME_CHARS ? `[a ${length}-character name]` : clean;
}

/**
 * An agent attempt's engine and model for a chat: `claude · claude-sonnet-4-5`, `codex` without a model, `unknown
 * engine` for attempts recorded before engines were.
 *
 * @example attemptEngineText({ engine: 'claude', model: 'claude-sonnet-4-5' }) // → 'claude · claude-sonnet-4-5'
 */
export function attemptEngineText(a: Pick<AttemptSummary, 'engine' | 'model'>): string {
  const engine = name(a.engine);
  const model = name(a.model);
  if (engine && model) return `${engine} · ${model}`;
  return engine ?? (model ? `unknown engine · ${model}` : 'unknown engine');
}

function isAgentAttempt(a: Pick<AttemptSummary, 'step' | 'engine'>): boolean {
  return a.step === 'agent' || a.engine !== null;
}

/**
 * The lines `/show` adds about a run's agent attempts: how many, per engine, then the newest few with the engine and
 * model that ran each, its verdict and its time. No lines when the run has no agent attempt yet.
 *
 * @example
 * await agentAttemptLines(ctx.db, 'run_45f3cbdcdc56')
 * // → ['agent attempts: 2 (codex 1, claude 1)', '  #2 claude · claude-sonnet-4-5: RETRYABLE test_command_failed, 7 min', …]
 */
export async function agentAttemptLines(db: Db, runId: string, shown = BOT_AGENT_ATTEMPTS): Promise<string[]> {
  const attempts = (await listAttemptSummaries(db, runId, { limit: READ_ATTEMPTS })).filter(isAgentAttempt);
  if (attempts.length === 0) return [];
  const perEngine = new Map<string, number>();
  for (const a of attempts) {
    const engine = name(a.engine) ?? 'unknown engine';
    perEngine.set(engine, (perEngine.get(engine) ?? 0) + 1);
  }
  const counts = [...perEngine.entries()].map(([engine, n]) => `${engine} ${n}`).join(', ');
  const newest = attempts.slice(0, shown).map((a) => {
    const verdict = a.grade ? `${a.grade}${a.reason_code ? ` ${name(a.reason_code)}` : ''}` : a.exit_code === 0 ? 'succeeded' : `failed (exit ${a.exit_code})`;
    return `  #${a.attempt_no} ${attemptEngineText(a)}: ${verdict}, ${formatDuration(a.duration_ms)}`;
  });
  return [`agent attempts: ${attempts.length}${attempts.length >= READ_ATTEMPTS ? '+' : ''} (${counts})`, ...newest];
}
