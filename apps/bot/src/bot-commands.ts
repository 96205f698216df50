import { isRunState, isTerminal, RUN_STATES, type RunState } from '@agentpr/state-machine';
import { getRun, latestPrRequest, listRuns, StoreError } from '@agentpr/store';
import { formatDuration } from '@agentpr/reports/format-duration';
import { encodeButtonData, type InlineButton, type Tier } from '@agentpr/telegram';
import { AgentprError, agentAttemptLines, applyCommand, buildInbox, listPendingPrs, RUN_ID_PATTERN, type AppContext, type ApprovePr, type CommandApplied, type PendingPr, type RunCommand } from '@agentpr/orchestrator';
import { approvalCard } from './card-taps.js';
import { expiryText } from './expiry-text.js';
import { inboxText } from './render-inbox.js';
import { shortSha } from './render-card.js';

/** What the bot answers to one command, and how the audit log records it. */
export interface BotReply {
  text: string;
  /** `ok` when the command did what was asked; `error` for bad input, unknown runs, refusals and failures. */
  outcome: 'ok' | 'error';
  /** Short reason for the audit log: `usage`, `run_not_found`, `refused`, `unknown_command`, … (empty when ok). */
  detail: string;
  buttons?: InlineButton[][] | undefined;
  /** Answer a tap with the toast alone, no message in the chat (another person's tap on someone's Confirm). */
  toastOnly?: boolean | undefined;
}

/** What a command handler needs besides the context. */
export interface BotCommandDeps {
  /** The bot's id: the namespace of its approval cards. */
  botId: string;
  /** Default N of `/list` and `/pending_pr`. */
  listLimit: number;
  /** The approval use cases (card, approve, reject); without them `/approve_pr` answers that approval is not available. */
  approvePr?: ApprovePr | undefined;
  /** The tier of the asking chat, shown by `/help`. */
  tier: Tier;
}

/** Usage lines of every command, as `/help` lists them. */
export const BOT_COMMAND_USAGE: Readonly<Record<string, string>> = Object.freeze({
  list: '/list [N]',
  show: '/show <run_id>',
  status: '/status <run_id>',
  pending_pr: '/pending_pr [N]',
  inbox: '/inbox',
  approve_pr: '/approve_pr <run_id>',
  pause: '/pause <run_id>',
  resume: '/resume <run_id> [target_state]',
  retry: '/retry <run_id> <target_state>',
});

const HELP_LINES = [
  'agentpr bot commands:',
  '/list [N] — the N most recently updated runs (1–50)',
  '/show <run_id> — one run (/status is the same)',
  '/status <run_id>',
  '/pending_pr [N] — PR requests waiting for approval',
  '/inbox — what needs a human now, with the next command',
  '/approve_pr <run_id> — the approval card: Approve, then Confirm, opens the PR (admin chats)',
  '/pause <run_id> — pause a run (write chats)',
  '/resume <run_id> [target_state] — resume a paused run (write chats)',
  '/retry <run_id> <target_state> — retry a failed run (write chats)',
  '/help — this list',
  '',
  'Or ask in plain words ("which runs are stuck?") when a manager LLM is configured: it answers from the runs and offers ' +
    "pause, resume, retry or create behind Confirm/Cancel buttons, within this chat's tier.",
  'Approving a PR always takes /approve_pr.',
];

const TIER_NOTE: Record<Tier, string> = {
  read: 'This chat may use the read commands.',
  write: 'This chat may use the read and write commands.',
  admin: 'This chat may use every command.',
};

const reply = (text: string, outcome: BotReply['outcome'] = 'ok', detail = ''): BotReply => ({ text, outcome, detail });

function usage(name: string, problem: string): BotReply {
  return reply(`${problem}. Usage: ${BOT_COMMAND_USAGE[name]}`, 'error', 'usage');
}

function parseCount(name: string, args: string[], fallback: number): number | BotReply {
  if (args.length > 1) return usage(name, 'Too many arguments');
  if (args.length === 0) return Math.min(Math.max(fallback, 1), 50);
  const raw = args[0]!;
  if (!/^[+-]?\d{1,9}$/.test(raw)) return usage(name, `N must be a whole number, not "${shorten(raw)}"`);
  return Math.min(Math.max(Number(raw), 1), 50);
}

function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "12 min ago" for a timestamp; the timestamp itself when it cannot be read. */
function ago(at: string, now: Date): string {
  const ms = now.getTime() - Date.parse(at);
  return Number.isFinite(ms) ? `${formatDuration(Math.max(ms, 0))} ago` : at;
}

function checkRunId(name: string, raw: string): string | BotReply {
  if (!RUN_ID_PATTERN.test(raw)) {
    return reply(`"${shorten(raw)}" is not a run id (letters, digits, . _ -). Send /list to see runs. Usage: ${BOT_COMMAND_USAGE[name]}`, 'error', 'invalid_run_id');
  }
  return raw;
}

function notFound(runId: string): BotReply {
  return reply(`Run ${runId} not found. Send /list to see runs.`, 'error', 'run_not_found');
}

function parseState(name: string, raw: string): RunState | BotReply {
  const upper = raw.trim().toUpperCase();
  if (isRunState(upper)) return upper;
  return reply(`"${shorten(raw)}" is not a state. States: ${RUN_STATES.join(', ')}. Usage: ${BOT_COMMAND_USAGE[name]}`, 'error', 'invalid_state');
}

/**
 * Runs one bot command in process with the bot's context (actor `bot`), and returns the reply: short plain text,
 * never JSON.
 * Bad input (wrong arity, a malformed run id or state, an unknown run) gets a short reply with the usage and
 * changes nothing. State changes go through {@link applyCommand}, so the operator rules of resume and retry
 * apply exactly as on the CLI. Unexpected failures throw; the bot loop turns them into "command failed".
 *
 * @example
 * const r = await executeBotCommand(ctx, 'pause', ['run_45f3cbdcdc56'], { botId: '555', listLimit: 20, tier: 'write' });
 * // r.text → 'run_45f3cbdcdc56: PAUSED (was IMPLEMENTING)'
 */
export async function executeBotCommand(ctx: AppContext, name: string, args: string[], deps: BotCommandDeps): Promise<BotReply> {
  switch (name) {
    case 'start':
    case 'help':
      return reply([...HELP_LINES, '', TIER_NOTE[deps.tier]].join('\n'));
    case 'list':
      return listCommand(ctx, args, deps);
    case 'show':
    case 'status':
      return showCommand(ctx, name, args);
    case 'pending_pr':
      return pendingCommand(ctx, args, deps);
    case 'inbox':
      if (args.length > 0) return usage('inbox', 'Too many arguments');
      return reply(inboxText(await buildInbox(ctx), ctx.clock()));
    case 'approve_pr':
      return approveCommand(ctx, args, deps);
    case 'pause':
    case 'resume':
    case 'retry':
      return stateCommand(ctx, name, args);
    default:
      return reply(`Unknown command /${shorten(name, 32)}. Send /help for the list of commands.`, 'error', 'unknown_command');
  }
}

async function listCommand(ctx: AppContext, args: string[], deps: BotCommandDeps): Promise<BotReply> {
  const n = parseCount('list', args, deps.listLimit);
  if (typeof n !== 'number') return n;
  const runs = await listRuns(ctx.db, { limit: n });
  if (runs.length === 0) return reply('No runs yet. Create one with: agentpr create-run --owner OWNER --repo REPO --prompt-version v1');
  const lines = runs.map((r) => `${r.run_id} | ${r.owner}/${r.repo} | ${r.current_state} | ${ago(r.updated_at, ctx.clock())}`);
  return reply([`${runs.length} most recently updated run${runs.length === 1 ? '' : 's'}:`, ...lines].join('\n'));
}

async function showCommand(ctx: AppContext, name: 'show' | 'status', args: string[]): Promise<BotReply> {
  if (args.length !== 1) return usage(name, args.length === 0 ? 'Which run?' : 'Too many arguments');
  const runId = checkRunId(name, args[0]!);
  if (typeof runId !== 'string') return runId;
  const found = await getRun(ctx.db, runId);
  if (!found) return notFound(runId);
  const { run, state } = found;
  const lines = [
    `run_id: ${run.run_id}`,
    `repo: ${run.owner}/${run.repo}`,
    `state: ${state.current_state}${state.current_state === 'PAUSED' && state.paused_from ? ` (paused from ${state.paused_from})` : ''}, ${ago(state.updated_at, ctx.clock())}`,
    `pr_number: ${run.pr_number ?? 'none'}`,
    `workspace: ${run.workspace_dir}`,
  ];
  if (state.last_error) lines.push(`last_error: ${shorten(state.last_error, 500)}`);
  lines.push(...(await agentAttemptLines(ctx.db, run.run_id)));
  const buttons: InlineButton[] = [];
  const pause = encodeButtonData('pause', run.run_id);
  if (pause && !isTerminal(state.current_state) && state.current_state !== 'PAUSED' && state.current_state !== 'FAILED_RETRYABLE') {
    buttons.push({ text: 'Pause', callbackData: pause });
  }
  return { ...reply(lines.join('\n')), buttons: buttons.length > 0 ? [buttons] : undefined };
}

function pendingLine(p: PendingPr, now: Date): string {
  const note = p.status === 'open' ? `expires ${expiryText(p.expires_at, now)}` : p.status === 'expired' ? `expired ${expiryText(p.expires_at, now)}, re-issue it` : 'stale (pushed again), re-issue it';
  const title = p.title.length > 60 ? `${p.title.slice(0, 59)}…` : p.title;
  return `${p.run_id} | ${p.owner}/${p.repo} @ ${shortSha(p.head_sha)} | ${title} | ${note}`;
}

async function pendingCommand(ctx: AppContext, args: string[], deps: BotCommandDeps): Promise<BotReply> {
  const n = parseCount('pending_pr', args, deps.listLimit);
  if (typeof n !== 'number') return n;
  const { requests } = await listPendingPrs(ctx, { limit: n });
  if (requests.length === 0) return reply('No PR requests are waiting.');
  const lines = requests.map((p) => pendingLine(p, ctx.clock()));
  return reply([`PR requests waiting (${lines.length}):`, ...lines, '', 'Send /approve_pr <run_id> for its approval card; re-issue with agentpr request-open-pr --run-id <run_id>.'].join('\n'));
}

async function approveCommand(ctx: AppContext, args: string[], deps: BotCommandDeps): Promise<BotReply> {
  // A second argument (an old habit: the confirm token) is ignored and never repeated.
  if (args.length === 0 || args.length > 2) return usage('approve_pr', args.length === 0 ? 'Which run?' : 'Too many arguments');
  const runId = checkRunId('approve_pr', args[0]!);
  if (typeof runId !== 'string') return runId;
  const found = await getRun(ctx.db, runId);
  if (!found) return notFound(runId);
  const request = await latestPrRequest(ctx.db, runId);
  if (!request) {
    return reply(`Run ${runId} has no PR request. Ask for one first: agentpr request-open-pr --run-id ${runId}`, 'error', 'no_pr_request');
  }
  const card = await approvalCard(ctx, deps, request.id);
  return args.length === 2 ? { ...card, text: `${card.text}\n(No token needed: approve with the buttons.)` } : card;
}

async function stateCommand(ctx: AppContext, name: 'pause' | 'resume' | 'retry', args: string[]): Promise<BotReply> {
  const max = name === 'pause' ? 1 : 2;
  const min = name === 'retry' ? 2 : 1;
  if (args.length < min) return usage(name, args.length === 0 ? 'Which run?' : 'Which target state?');
  if (args.length > max) return usage(name, 'Too many arguments');
  const runId = checkRunId(name, args[0]!);
  if (typeof runId !== 'string') return runId;
  let target: RunState | undefined;
  if (args[1] !== undefined) {
    const parsed = parseState(name, args[1]);
    if (typeof parsed !== 'string') return parsed;
    target = parsed;
  }
  const before = await getRun(ctx.db, runId);
  if (!before) return notFound(runId);
  const command: RunCommand = name === 'pause' ? { command: 'pause' } : name === 'resume' ? { command: 'resume', targetState: target } : { command: 'retry', targetState: target! };
  try {
    return appliedReply(runId, before.state.current_state, await applyCommand(ctx, runId, command));
  } catch (error) {
    if (error instanceof AgentprError || error instanceof StoreError) {
      const message = error.message.replaceAll('--target-state', 'a target state');
      return reply(`Refused: ${message}`, 'error', error.code === 'run_not_found' ? 'run_not_found' : 'refused');
    }
    throw error;
  }
}

/** The reply to a pause, resume or retry: the new state and the one before, in words. */
function appliedReply(runId: string, was: string, applied: CommandApplied): BotReply {
  switch (applied.kind) {
    case 'applied':
      return reply(`${runId}: ${applied.result.state} (was ${was})`);
    case 'duplicate':
      return reply(`${runId}: ${applied.result.state} (was ${was}; already done, nothing changed)`);
    case 'stored':
      return reply(`${runId}: ${applied.result.state} (was ${was}; recorded, no state change${applied.result.message ? `: ${applied.result.message}` : ''})`);
    case 'refused':
      return reply(`Refused: ${applied.result.message ?? applied.reason}`, 'error', 'refused');
    default: {
      const never: never = applied;
      return never;
    }
  }
}
