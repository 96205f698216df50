import type { CommandStatus } from '../errors.js';
import type { LinePrompt } from './ask-prompt.js';
import { parseQuestion } from './ask-question.js';
import type { CliAssistant } from './ask-setup.js';
import { actionLines, askOnce, askOutput, settleActions } from './ask-turn.js';

/** Turns of a session the model sees again, oldest first. */
const HISTORY_TURNS = 6;

/** What an interactive session needs: the assistant, the terminal prompt and where replies go. */
export interface AskSessionIo {
  cli: CliAssistant;
  prompt: LinePrompt;
  /** A reply, or a turn's JSON with `--json`. */
  print(text: string): void;
  /** A one-line notice (model unavailable, a turn stopped). */
  notice(text: string): void;
  json: boolean;
  /** `--yes`: proposed writes run without a y/N question. */
  yes: boolean;
  /** SIGTERM (or SIGINT outside the terminal's raw mode) ends the session. */
  signal: AbortSignal;
}

/**
 * `agentpr ask` on a terminal without a question: `ask> ` prompts, each line a turn that sees the session's recent
 * turns, each proposed write asked as y/N. An empty line or Ctrl-D ends it; Ctrl-C stops the turn in flight (and,
 * at the prompt, ends the session).
 */
export async function runAskSession(io: AskSessionIo): Promise<{ turns: number; status: CommandStatus }> {
  const history: { question: string; reply: string }[] = [];
  let turns = 0;
  for (;;) {
    const line = await io.prompt.question('ask> ');
    if (line === null || line.trim() === '' || io.signal.aborted) break;
    const parsed = parseQuestion(line);
    if (!parsed.ok) {
      io.notice(parsed.error);
      continue;
    }
    const turn = new AbortController();
    io.prompt.onInterrupt(() => turn.abort('SIGINT'));
    const result = await askOnce(io.cli, parsed.question, history.slice(-HISTORY_TURNS), AbortSignal.any([io.signal, turn.signal])).finally(() =>
      io.prompt.onInterrupt(undefined),
    );
    turns++;
    if (turn.signal.aborted || io.signal.aborted) {
      io.notice('stopped; nothing was run');
      if (io.signal.aborted) break;
      continue;
    }
    if (result.kind === 'model_unavailable') {
      io.notice(result.reply);
      continue;
    }
    if (!io.json) io.print(result.reply);
    const settled = await settleActions(io.cli, result.actions, io.yes ? { kind: 'yes_flag' } : { kind: 'prompt', question: (text) => io.prompt.question(text) });
    if (io.json) io.print(JSON.stringify(askOutput(result, settled)));
    else for (const text of actionLines(settled)) io.print(text);
    history.push({ question: parsed.question, reply: result.reply });
  }
  return { turns, status: io.signal.aborted ? 'interrupted' : 'ok' };
}
