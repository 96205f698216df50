import { COMMAND_CATEGORIES, commandFacts, type CommandCategory, type CommandFacts } from './command-facts.js';
import { LIMITS, detach } from './bounded.js';
import type { NormalizedEvent } from './normalize-event.js';
import type { CommandDuration, CommandEventSample } from './stream-types.js';

/** A command event of the normalised stream. */
export type CommandEvent = Extract<NormalizedEvent, { kind: 'command' }>;

/** What the ledger knows about one distinct command. */
export interface CommandState {
  /** The command string, detached from the line it was parsed from. */
  command: string;
  facts: CommandFacts;
  /** Executions started so far. */
  count: number;
  firstLine: number;
  /** Order of first appearance. */
  order: number;
}

/** A command execution the ledger saw complete, for the evidence that depends on its outcome. */
export interface CompletedExecution {
  state: CommandState;
  itemId: string | null;
  /** The line the execution started at (the completion's own line when it was not seen starting). */
  startLine: number;
}

interface Execution {
  itemId: string | null;
  command: string | null;
  startOffset: number | null;
  line: number;
}

/** An execution just started: its command state and where it started. */
export type ExecutionStartHook = (state: CommandState, line: number, itemId: string | null) => void;

/**
 * The command ledger of a stream: distinct commands with their facts and counts, executions in flight (paired
 * started/completed by item id), the event sample, the longest durations and the category counts. Every list
 * and map is capped (see {@link LIMITS}).
 */
export class CommandLedger {
  /** Executions started (a started+completed pair counts once). */
  executions = 0;
  /** Executions seen complete. */
  completions = 0;
  /** The command of the execution started last and not yet complete (live progress). */
  current: string | null = null;
  private readonly inFlight = new Map<string, Execution>();
  private unfinishedDropped = 0;
  private readonly distinct = new Map<string, CommandState>();
  private overflowCommands = 0;
  private readonly sample: CommandEventSample[] = [];
  private readonly textSample: string[] = [];
  private readonly durations: CommandDuration[] = [];
  private readonly categories = Object.fromEntries(COMMAND_CATEGORIES.map((c) => [c, 0])) as Record<CommandCategory, number>;

  /** `onStart` is called at every execution start (after it is counted). */
  constructor(private readonly onStart: ExecutionStartHook) {}

  /** True when an execution with this item id has started and not completed. */
  isInFlight(itemId: string): boolean {
    return this.inFlight.has(itemId);
  }

  /** Records one command event; returns the execution when the event completed it. */
  record(ev: CommandEvent, eventType: string, line: number, offset: number | null): CompletedExecution | undefined {
    const rawItemId = ev.itemId;
    const exec = rawItemId !== null ? this.inFlight.get(rawItemId) : undefined;
    const raw = ev.command ?? exec?.command ?? null;
    if (raw === null) return undefined;
    const itemId = exec ? exec.itemId : rawItemId === null ? null : detach(rawItemId);
    let durationMs: number | null = null;
    let command: string;
    let completed: CompletedExecution | undefined;
    if (ev.phase === 'started' || ev.phase === 'updated') {
      command = exec ? this.update(exec, ev.command, line) : this.start(raw, line, itemId, offset);
      this.current = command;
    } else {
      if (exec && itemId !== null) this.inFlight.delete(itemId);
      const state = exec ? this.stateOf(raw, line) : this.startExecution(raw, line, itemId);
      command = state.command;
      if (exec && exec.startOffset !== null && offset !== null) {
        durationMs = Math.max(offset - exec.startOffset, 0);
        this.addDuration({ command, duration_ms: durationMs, status: detach(ev.status), exit_code: ev.exitCode, item_id: itemId });
      }
      completed = { state, itemId, startLine: exec?.line ?? line };
      this.completions++;
      if (this.current === command) this.current = null;
    }
    if (this.sample.length < LIMITS.eventsSample) {
      this.sample.push({
        event_type: eventType, local_offset_ms: offset, status: detach(ev.status), duration_ms: durationMs, exit_code: ev.exitCode,
        item_id: itemId, command, line,
      });
    }
    return completed;
  }

  private start(raw: string, line: number, itemId: string | null, offset: number | null): string {
    const command = this.startExecution(raw, line, itemId).command;
    if (itemId !== null) {
      if (this.inFlight.size >= LIMITS.inFlight) {
        const oldest = this.inFlight.keys().next().value as string;
        this.inFlight.delete(oldest);
        this.unfinishedDropped++;
      }
      this.inFlight.set(itemId, { itemId, command, startOffset: offset, line });
    }
    return command;
  }

  private update(exec: Execution, command: string | null, line: number): string {
    if (command) exec.command = this.stateOf(command, line).command;
    return exec.command!;
  }

  private stateOf(command: string, line: number): CommandState {
    let state = this.distinct.get(command);
    if (state) return state;
    const own = detach(command);
    state = { command: own, facts: commandFacts(own), count: 0, firstLine: line, order: this.distinct.size + this.overflowCommands };
    if (this.distinct.size < LIMITS.distinctCommands) this.distinct.set(own, state);
    else this.overflowCommands++;
    this.categories[state.facts.category]++;
    if (this.textSample.length < LIMITS.commandTextSample) this.textSample.push(own);
    return state;
  }

  private startExecution(raw: string, line: number, itemId: string | null): CommandState {
    const state = this.stateOf(raw, line);
    state.count++;
    this.executions++;
    this.onStart(state, line, itemId);
    return state;
  }

  private addDuration(d: CommandDuration): void {
    const list = this.durations;
    if (list.length === LIMITS.durations && list[list.length - 1]!.duration_ms >= d.duration_ms) return;
    let i = list.length;
    while (i > 0 && list[i - 1]!.duration_ms < d.duration_ms) i--;
    list.splice(i, 0, d);
    if (list.length > LIMITS.durations) list.pop();
  }

  /** Distinct commands in order of first appearance (at most {@link LIMITS.distinctCommands}). */
  commands(): string[] {
    return [...this.distinct.keys()];
  }

  /** How many executions of this command started (0 when unknown or past the cap). */
  executionsOf(command: string): number {
    return this.distinct.get(command)?.count ?? 0;
  }

  /** Distinct commands seen, including those past the cap. */
  commandCount(): number {
    return this.distinct.size + this.overflowCommands;
  }

  /** Distinct commands per category. */
  commandCategories(): Record<CommandCategory, number> {
    return { ...this.categories };
  }

  /** The ledger's part of the event summary. */
  summary(): {
    command_event_count: number;
    command_events_sample: CommandEventSample[];
    command_text_sample: string[];
    top_commands_by_frequency: Array<{ value: string; count: number }>;
    top_commands_by_duration: CommandDuration[];
    unfinished_execution_count: number;
  } {
    const frequency = [...this.distinct.entries()]
      .filter(([, s]) => s.count > 0)
      .sort((a, b) => b[1].count - a[1].count || a[1].order - b[1].order)
      .slice(0, 20)
      .map(([value, s]) => ({ value, count: s.count }));
    return {
      command_event_count: this.executions,
      command_events_sample: this.sample,
      command_text_sample: this.textSample,
      top_commands_by_frequency: frequency,
      top_commands_by_duration: this.durations,
      unfinished_execution_count: this.inFlight.size + this.unfinishedDropped,
    };
  }
}

/** Category counts of a command list (the text fallback's commands, which are not executions). */
export function categoriesOf(commands: readonly string[]): Record<CommandCategory, number> {
  const out = Object.fromEntries(COMMAND_CATEGORIES.map((c) => [c, 0])) as Record<CommandCategory, number>;
  for (const c of commands) out[commandFacts(c).category]++;
  return out;
}
