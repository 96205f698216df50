import { commandFacts } from './command-facts.js';
import { AgentOutcome } from './agent-outcome.js';
import { LIMITS, detach } from './bounded.js';
import { CommandLedger, categoriesOf, type CommandEvent, type CommandState } from './command-ledger.js';
import { EventTally } from './event-tally.js';
import { FileChanges, type FileChangeEvent } from './file-changes.js';
import { findStringKey } from './find-string-key.js';
import { HiddenFailures } from './hidden-failures.js';
import { LineSplitter } from './line-splitter.js';
import { normalizeEvent, type NormalizedEvent } from './normalize-event.js';
import { RefusedActions } from './refused-actions.js';
import { SafetyRecord } from './safety-record.js';
import { SessionFacts } from './session-facts.js';
import { normalizeDir } from './shell-segments.js';
import type { AgentEventSummary, StreamAnalysis, StreamAnalyzer, StreamAnalyzerOptions, StreamFinishInput, StreamProgress } from './stream-types.js';
import { TestEvidence } from './test-evidence.js';
import { TextFallback } from './text-fallback.js';

export type {
  AgentEventSummary,
  AgentReportedStatus,
  CommandDuration,
  CommandEventSample,
  FailureMessage,
  GitCommandLine,
  HiddenFailure,
  RefusedAction,
  SafetyViolationLine,
  StreamAnalysis,
  StreamAnalyzer,
  StreamAnalyzerOptions,
  StreamFinishInput,
  StreamProgress,
  StreamLocation,
  TestFailureRecord,
  TestRunEvidence,
} from './stream-types.js';

const SKILL_KEYS = new Set(['skill', 'skill_name']);
const COMMAND_KEYS = new Set(['command', 'cmd', 'shell_command', 'bash_command']);

type Json = Record<string, unknown>;

/** Wires the concepts of the analysis together: parses each line, dispatches its events, assembles the result. */
class Analyzer implements StreamAnalyzer {
  private readonly maxLineChars: number;
  private readonly workspaceDir: string | undefined;
  private readonly splitter: LineSplitter;
  private finished = false;
  private legacyWorkdir: string | undefined;

  private readonly tally = new EventTally();
  private readonly safety: SafetyRecord;
  private readonly ledger: CommandLedger;
  private readonly tests: TestEvidence;
  private readonly hidden = new HiddenFailures();
  private readonly files = new FileChanges();
  private readonly outcome = new AgentOutcome();
  private readonly fallback = new TextFallback();
  private readonly refused = new RefusedActions();
  private readonly session = new SessionFacts();

  constructor(options: StreamAnalyzerOptions) {
    this.maxLineChars = options.maxLineChars ?? LIMITS.maxLineChars;
    this.workspaceDir = options.workspaceDir ? normalizeDir(options.workspaceDir) : undefined;
    this.splitter = new LineSplitter((line) => this.pushLine(line), { maxLineChars: this.maxLineChars });
    this.safety = new SafetyRecord(options, () => this.workspace());
    this.tests = new TestEvidence(options.allowlist ?? []);
    this.ledger = new CommandLedger((state, line, itemId) => this.executionStarted(state, line, itemId));
  }

  /** The workspace known so far: the option, or the legacy format's `workdir`, or Claude's init `cwd`. */
  private workspace(): string | undefined {
    if (this.workspaceDir !== undefined) return this.workspaceDir;
    const named = this.legacyWorkdir ?? this.session.cwd();
    return named ? normalizeDir(named) : undefined;
  }

  progress(): StreamProgress {
    return { currentCommand: this.ledger.current, commands: this.ledger.completions, tokens: this.tally.tokens() };
  }

  write(chunk: string): void {
    this.splitter.push(chunk);
  }

  pushLine(rawLine: string, offsetMs: number | null = null): void {
    if (this.finished) throw new Error('StreamAnalyzer: pushLine after finish');
    const lineNo = ++this.tally.lines;
    if (rawLine.length > this.maxLineChars) {
      this.tally.malformedLine(lineNo, `line longer than ${this.maxLineChars} characters; skipped`);
      return;
    }
    let line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0) return;
    if (line.charCodeAt(0) <= 32 || line.charCodeAt(line.length - 1) <= 32) {
      line = line.trim();
      if (line.length === 0) return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(line);
    } catch {
      this.tally.malformedLine(lineNo, 'not valid JSON');
      this.fallback.scanLine(line);
      return;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      this.tally.malformedLine(lineNo, 'not a JSON object');
      return;
    }
    this.analyseObject(payload as Json, line, lineNo, offsetMs !== null && Number.isInteger(offsetMs) ? offsetMs : null);
  }

  private analyseObject(p: Json, line: string, lineNo: number, offset: number | null): void {
    const eventType = this.tally.parsedEvent(p);
    if (line.indexOf('kill') >= 0 || line.indexOf('KILL') >= 0) {
      const skill = findStringKey(p, SKILL_KEYS);
      if (skill !== undefined) this.tally.skill(skill.trim());
    }
    const nl = normalizeEvent(p);
    this.tally.normalized(nl);
    if (this.legacyWorkdir === undefined && nl.format === 'codex_legacy' && typeof p.workdir === 'string') this.legacyWorkdir = detach(p.workdir);

    let sawCommand = false;
    for (const ev of nl.events) {
      if (ev.kind === 'command') sawCommand = true;
      this.handle(ev, eventType, lineNo, offset);
    }
    // a command under a key the normaliser does not know (an unknown format); not Claude's result, whose
    // permission_denials repeat the input of calls that never ran
    if (!sawCommand && !(nl.format === 'claude_stream_json' && eventType === 'result') && (line.indexOf('"command"') >= 0 || line.indexOf('"cmd"') >= 0 || line.indexOf('_command"') >= 0)) {
      const command = findStringKey(p, COMMAND_KEYS);
      if (command !== undefined && command.trim() !== '') {
        this.onCommand({ kind: 'command', phase: 'completed', itemId: null, command: command.trim(), status: '', exitCode: null, output: null }, eventType, lineNo, offset);
      }
    }
  }

  private handle(ev: NormalizedEvent, eventType: string, line: number, offset: number | null): void {
    switch (ev.kind) {
      case 'command':
        return this.onCommand(ev, eventType, line, offset);
      case 'tool_result':
        if (this.ledger.isInFlight(ev.itemId)) {
          if (ev.denied) return this.refuseCommand(ev.itemId, ev.output, eventType, line, offset);
          const status = ev.isError ? 'failed' : 'completed';
          return this.onCommand({ kind: 'command', phase: 'completed', itemId: ev.itemId, command: null, status, exitCode: ev.isError ? 1 : 0, output: ev.output }, eventType, line, offset);
        }
        if (this.files.isInFlight(ev.itemId)) {
          const status = ev.denied ? 'denied' : ev.isError ? 'failed' : 'completed';
          this.onFileChange({ kind: 'file_change', phase: 'completed', itemId: ev.itemId, status, paths: [], ...(ev.isError || ev.denied ? { reason: ev.output } : {}) }, line);
        }
        return;
      case 'file_change':
        return this.onFileChange(ev, line);
      case 'agent_message':
        return this.hidden.agentMessage(this.outcome.agentMessage(ev.text, line), ev.itemId, line, this.ledger.executions);
      case 'turn_started':
        return this.outcome.turnStarted();
      case 'turn_completed':
        this.outcome.turnCompleted();
        if (ev.usage) this.tally.takeUsage(ev.usage);
        return;
      case 'turn_failed':
        return this.outcome.turnFailed(line, ev.message);
      case 'error':
        return this.outcome.error(line, ev.message);
      case 'warning':
        return this.outcome.warning(ev.message);
      case 'usage':
        return this.tally.takeUsage(ev.usage);
      case 'permission_denied':
        return this.onDenied(ev, eventType, line, offset);
      case 'session':
        return this.session.session(ev.model, ev.cwd);
      case 'agent_result':
        return this.session.result(ev.text, ev.costUsd);
    }
  }

  /** A call the harness refused: it completes the call in flight as refused, or marks one already completed. */
  private onDenied(ev: Extract<NormalizedEvent, { kind: 'permission_denied' }>, eventType: string, line: number, offset: number | null): void {
    this.hidden.permissionDenied(ev.tool, ev.command, ev.itemId, line);
    const id = ev.itemId;
    if (id !== null && this.ledger.isInFlight(id)) return this.refuseCommand(id, ev.reason ?? '', eventType, line, offset);
    if (id !== null && this.files.isInFlight(id)) return this.onFileChange({ kind: 'file_change', phase: 'completed', itemId: id, status: 'denied', paths: [], reason: ev.reason ?? '' }, line);
    const known = this.refused.get(id);
    // a later mention (the result's permission_denials) of a refusal already recorded, or of a call that completed
    // before the denial was named (an engine without the denial event): recorded, with its command when it has one
    if (known || ev.command !== null) {
      this.refused.add({ outcome: 'denied', kind: known?.kind ?? 'command', tool: ev.tool || 'a tool', target: known?.target ?? ev.command ?? '', line: known?.line ?? line, item_id: id, refused_line: known?.refused_line ?? line, reason: ev.reason ?? '' });
    }
  }

  /** Completes a command Claude Code refused to run: no exit code, no test evidence, recorded as refused. */
  private refuseCommand(itemId: string, reason: string, eventType: string, line: number, offset: number | null): void {
    const done = this.ledger.record({ kind: 'command', phase: 'completed', itemId, command: null, status: 'denied', exitCode: null, output: null }, eventType, line, offset);
    this.hidden.commandCompleted(null, 'denied');
    if (done) this.refused.add({ outcome: 'denied', kind: 'command', tool: 'Bash', target: done.state.command, line: done.startLine, item_id: done.itemId, refused_line: line, reason });
  }

  private executionStarted(state: CommandState, line: number, itemId: string | null): void {
    if (state.count === 1) this.safety.command(state.command, state.facts, line, itemId);
  }

  private onCommand(ev: CommandEvent, eventType: string, line: number, offset: number | null): void {
    const done = this.ledger.record(ev, eventType, line, offset);
    if (done === undefined) return;
    this.hidden.commandCompleted(ev.exitCode, ev.status);
    const targets = done.state.facts.testTargets;
    if (targets.length > 0 && ev.exitCode !== null) this.tests.completed(done.state.command, targets, ev.exitCode, ev.output ?? '', line, done.itemId);
  }

  private onFileChange(ev: FileChangeEvent, line: number): void {
    const done = this.files.record(ev, line);
    if (done === undefined) return;
    this.hidden.fileChangeCompleted(done.paths, ev.status, ev.itemId, line);
    if (done.written) return;
    const outcome = ev.status.toLowerCase() === 'failed' ? 'failed' : 'denied';
    for (const target of done.paths) this.refused.add({ outcome, kind: 'file_change', tool: done.tool, target, line: done.line, item_id: ev.itemId, refused_line: line, reason: ev.reason ?? '' });
  }

  /** Records the text fallback's commands through the same capped evidence as parsed commands. */
  private recordFallback(commands: readonly string[]): void {
    for (const c of commands) {
      const facts = commandFacts(c);
      this.tests.fallbackRun(c, facts.testTargets);
      this.safety.command(c, facts, 0, null);
    }
  }

  finish(input: StreamFinishInput = {}): StreamAnalysis {
    if (!this.finished) this.splitter.end();
    this.finished = true;
    const fallback = this.tally.parsed === 0 ? this.fallback.commands(input.stderr ?? '') : null;
    if (fallback) this.recordFallback(fallback);
    this.safety.fileChanges(this.files.paths());
    const refused = this.refused.list();
    this.safety.refusedActions(refused, (command) => this.ledger.executionsOf(command));
    const commands = fallback ?? this.ledger.commands();
    return {
      summary: this.summary(),
      commands: commands.slice(0, LIMITS.listedCommands),
      command_count: fallback ? fallback.length : this.ledger.commandCount(),
      text_fallback: fallback !== null,
      command_categories: fallback ? categoriesOf(fallback) : this.ledger.commandCategories(),
      ...this.tests.result(),
      ...this.safety.result(),
      hidden_failures: this.hidden.list(),
      refused_actions: refused,
      ...this.outcome.result(this.tally.parsed, this.tally.format),
      file_changes: this.files.paths(),
      workspace_dir: this.workspace() ?? null,
    };
  }

  private summary(): AgentEventSummary {
    const t = this.tally.summary();
    const c = this.ledger.summary();
    return {
      jsonl_line_count: t.jsonl_line_count,
      parsed_event_count: t.parsed_event_count,
      parse_error_count: t.parse_error_count,
      event_type_counts: t.event_type_counts,
      command_event_count: c.command_event_count,
      command_events_sample: c.command_events_sample,
      command_text_sample: c.command_text_sample,
      top_commands_by_frequency: c.top_commands_by_frequency,
      top_commands_by_duration: c.top_commands_by_duration,
      skill_event_counts: t.skill_event_counts,
      usage: t.usage,
      format: t.format,
      format_counts: t.format_counts,
      unknown_event_type_counts: t.unknown_event_type_counts,
      unknown_item_type_counts: t.unknown_item_type_counts,
      malformed_lines: t.malformed_lines,
      unfinished_execution_count: c.unfinished_execution_count,
      ...this.session.summary(),
    };
  }
}

/**
 * Creates an incremental analyser of an agent event stream. Feed it line by line while the
 * agent runs (`pushLine(line, offsetMs)`) or raw chunks (`write`), then call `finish`. Memory is bounded:
 * only samples, capped lists and per-command facts are kept, so a 1 GB stream needs no more than a few MB.
 * Malformed lines, unknown event types and unknown formats are counted, never thrown.
 *
 * @example
 * const analyzer = createStreamAnalyzer({ allowlist: policy.known_test_failure_allowlist, workspaceDir });
 * for (const line of lines) analyzer.pushLine(line);
 * const analysis = analyzer.finish({ stderr });
 */
export function createStreamAnalyzer(options: StreamAnalyzerOptions = {}): StreamAnalyzer {
  return new Analyzer(options);
}

/**
 * Analyses a whole stdout text at once (the raw text plus optional arrival offsets, one per
 * line as split on `\n`).
 */
export function analyzeEventText(text: string, options: StreamAnalyzerOptions & StreamFinishInput & { offsets?: readonly unknown[] } = {}): StreamAnalysis {
  const analyzer = createStreamAnalyzer(options);
  const offsets = options.offsets;
  let index = 0;
  const lines = new LineSplitter((line) => {
    const off = offsets?.[index++];
    analyzer.pushLine(line, typeof off === 'number' && Number.isInteger(off) ? off : null);
  });
  lines.push(text);
  lines.end();
  return analyzer.finish(options.stderr === undefined ? {} : { stderr: options.stderr });
}
