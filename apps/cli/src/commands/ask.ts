import { AgentprError } from '@agentpr/orchestrator/errors';
import type { CommandContext, CommandResult, CommandSpec, OptionValues } from '../command.js';
import { flag, str } from '../values.js';
import { openLinePrompt, type LinePrompt } from './ask-prompt.js';
import { parseQuestion } from './ask-question.js';
import { runAskSession } from './ask-session.js';
import { openCliAssistant, type CliAssistant } from './ask-setup.js';
import { actionLines, askOnce, askOutput, notRunLine, settleActions, turnStatus, type Confirmation } from './ask-turn.js';

/** Whether a person sits at this terminal: stdin and stdout are both terminals (an `ask>` session needs both). */
function atTerminal(ctx: CommandContext): boolean {
  return process.stdin.isTTY === true && ctx.stdout.isTTY === true;
}

/**
 * Where a y/N question can be shown: stdout on a terminal, or stderr when stdout carries JSON (`--json`, or a
 * pipe) and stderr is a terminal; `undefined` when stdin is not a terminal (nobody can answer).
 */
function promptStream(ctx: CommandContext): NodeJS.WritableStream | undefined {
  if (process.stdin.isTTY !== true) return undefined;
  if (!ctx.json && ctx.stdout.isTTY === true) return ctx.stdout;
  return (ctx.stderr as { isTTY?: boolean }).isTTY === true ? ctx.stderr : undefined;
}

/** One question: the reply, then each proposed write confirmed (`--yes`, or y/N on a terminal) or left unrun. */
async function oneTurn(ctx: CommandContext, cli: CliAssistant, question: string, yes: boolean): Promise<CommandResult> {
  const result = await askOnce(cli, question, [], ctx.signal);
  if (ctx.signal.aborted) return { output: undefined, status: 'interrupted' };
  if (result.kind === 'model_unavailable') {
    ctx.stderr.write(`agentpr: ${result.reply.split('\n')[0]}\n`);
    return { output: ctx.json ? askOutput(result, []) : undefined, status: 'failed' };
  }
  const screen = !yes && result.actions.length > 0 ? promptStream(ctx) : undefined;
  let prompt: LinePrompt | undefined;
  if (screen) {
    // The reply comes before its questions; with JSON on stdout, both go to stderr and stdout stays one document.
    screen.write(`${result.reply}\n`);
    prompt = openLinePrompt(process.stdin, screen);
  }
  const confirmation: Confirmation = yes ? { kind: 'yes_flag' } : prompt ? { kind: 'prompt', question: (text) => prompt.question(text) } : { kind: 'unavailable' };
  const settled = await settleActions(cli, result.actions, confirmation).finally(() => prompt?.close());
  for (const action of settled) if (action.status === 'not_run') ctx.stderr.write(`agentpr: ${notRunLine(action.summary)}\n`);
  const text = [...(screen ? [] : [result.reply]), ...actionLines(settled)].join('\n');
  return { output: askOutput(result, settled), status: turnStatus(result, settled), text };
}

/** No question: an `ask>` session on a terminal, else a usage error. */
async function session(ctx: CommandContext, cli: CliAssistant, yes: boolean): Promise<CommandResult> {
  const prompt = openLinePrompt(process.stdin, ctx.stdout);
  try {
    const outcome = await runAskSession({
      cli,
      prompt,
      print: (text) => ctx.stdout.write(`${text}\n`),
      notice: (text) => ctx.stderr.write(`agentpr: ${text}\n`),
      json: ctx.json,
      yes,
      signal: ctx.signal,
    });
    return { output: undefined, status: outcome.status };
  } finally {
    prompt.close();
  }
}

/** The question from the flag or the bare argument, checked; `undefined` when none was given. */
function questionOf(values: OptionValues): string | undefined {
  const raw = str(values, 'question');
  if (raw === undefined) return undefined;
  const parsed = parseQuestion(raw);
  if (!parsed.ok) throw new AgentprError('usage', parsed.error);
  return parsed.question;
}

/** `agentpr ask`: questions in plain words to the manager LLM, which may only call agentpr's whitelisted actions. */
export const command: CommandSpec = {
  name: 'ask',
  summary: 'Ask in plain words; the manager LLM answers with whitelisted agentpr actions, and every change waits for your y/N.',
  example: 'agentpr ask "which runs are stuck and why?" --llm-base-url http://127.0.0.1:11434/v1 --llm-model qwen3:8b',
  positional: 'question',
  gate: 'basic',
  options: {
    question: { type: 'string', value: 'TEXT', description: 'the question (or a bare argument); without one, on a terminal, an ask> session' },
    yes: { type: 'boolean', description: 'confirm the proposed changes without asking (scripts); without it and without a terminal they do not run' },
    'llm-base-url': { type: 'string', value: 'URL', description: 'OpenAI-compatible API (env AGENTPR_LLM_BASE_URL, policy manager_llm.base_url)' },
    'llm-model': { type: 'string', value: 'NAME', description: 'model name (env AGENTPR_LLM_MODEL, policy manager_llm.model); the key only from AGENTPR_LLM_API_KEY' },
  },
  async run(ctx, values) {
    const question = questionOf(values);
    if (question === undefined && !atTerminal(ctx)) {
      throw new AgentprError('usage', 'ask: give a question (agentpr ask "which runs are stuck?"); an ask> session needs a terminal.');
    }
    const cli = await openCliAssistant(ctx, values);
    try {
      const yes = flag(values, 'yes');
      return question === undefined ? await session(ctx, cli, yes) : await oneTurn(ctx, cli, question, yes);
    } finally {
      await cli.close();
    }
  },
};
