import { COMMAND_CATEGORIES, commandFacts, targetCovers, type CommandCategory, type CommandFacts, type SafetyRule, type TestTarget } from './command-facts.js';
import { normalizeEvent, type NormalizedEvent, type StreamFormat } from './normalize-event.js';
import { parseIntLoose } from './parse-int-loose.js';
import { buildPathScope, isGitInternal, type PathScope } from './path-scope.js';
import { commandSafetyFindings, type SafetyFinding } from './safety-findings.js';
import { normalizeDir } from './shell-segments.js';

/** Options of {@link createStreamAnalyzer}. */
export interface StreamAnalyzerOptions {
  /**
   * Known baseline-failure patterns (policy `known_test_failure_allowlist`). Each is a case-insensitive regex
   * (an invalid one is a substring) matched against a failing execution's OWN output only (W13).
   */
  allowlist?: readonly string[];
  /** Absolute workspace path; `file_change` paths outside it, `/tmp` and `tmpDirs` are `write_outside_repo`. */
  workspaceDir?: string | undefined;
  /** Further directories writes may go to (the runtime `TMPDIR`). */
  tmpDirs?: readonly string[];
  /**
   * Further absolute roots commands may write to, besides the workspace (which holds the runtime dir), `/tmp`
   * and `tmpDirs`. `/dev/null`, `/dev/stdout`, `/dev/stderr` and `/dev/fd/*` are always allowed targets.
   */
  allowedWriteRoots?: readonly string[];
  /**
   * The agent's home (the sandbox's throwaway home), so `~` and `$HOME` resolve; writes there are outside
   * unless it lies under an allowed root. Unknown (the default): every `~` path counts as outside.
   */
  homeDir?: string | undefined;
  /** Absolute paths that are secrets of their own: agentpr's data dir, database file, policy file. */
  secretPaths?: readonly string[];
  /** Longest line analysed, in characters; longer lines count as malformed. Default 8 Mi. */
  maxLineChars?: number;
}

/** Inputs known only when the agent has finished. */
export interface StreamFinishInput {
  /** The agent's stderr (bounded by the caller); used for the text fallback and the failure text. */
  stderr?: string;
}

/** A command event as kept in `command_events_sample` (SPEC §5.1). */
export interface CommandEventSample {
  event_type: string;
  local_offset_ms: number | null;
  status: string;
  duration_ms: number | null;
  exit_code: number | null;
  item_id: string | null;
  command: string;
  /** 1-based line of the stream (addition). */
  line: number;
}

/** A command duration (SPEC §5.1). */
export interface CommandDuration {
  command: string;
  duration_ms: number;
  status: string;
  exit_code: number | null;
  item_id: string | null;
}

/** `agent_event_summary` (SPEC §5.1) plus additions about the stream's format and damage. */
export interface AgentEventSummary {
  jsonl_line_count: number;
  parsed_event_count: number;
  parse_error_count: number;
  event_type_counts: Record<string, number>;
  command_event_count: number;
  command_events_sample: CommandEventSample[];
  command_text_sample: string[];
  top_commands_by_frequency: Array<{ value: string; count: number }>;
  top_commands_by_duration: CommandDuration[];
  skill_event_counts: Record<string, number>;
  usage: Record<string, number>;
  /** Addition: the detected format (first decisive line). */
  format: StreamFormat;
  /** Addition: lines per detected format, for mixed streams. */
  format_counts: Partial<Record<StreamFormat, number>>;
  /** Addition: event and item types the format does not know (counted, never fatal). */
  unknown_event_type_counts: Record<string, number>;
  unknown_item_type_counts: Record<string, number>;
  /** Addition: the first 20 malformed lines (1-based) and why. */
  malformed_lines: Array<{ line: number; reason: string }>;
  /** Addition: executions started but never completed (interrupted or still running). */
  unfinished_execution_count: number;
}

/** Where a piece of evidence sits in the stream. */
export interface StreamLocation {
  /** 1-based line number in the stream. */
  line: number;
  item_id: string | null;
}

/** A test/lint/typecheck execution that proved something (first success per command). */
export interface TestRunEvidence extends StreamLocation {
  command: string;
  exit_code: number;
  /** The normalised validation segments that passed. */
  targets: string[];
  /** Set when the exit status was masked but the output showed a passing summary. */
  note?: string;
}

/** A failing test/lint/typecheck execution and what became of it. */
export interface TestFailureRecord extends StreamLocation {
  command: string;
  exit_code: number;
  /** The normalised failing segments. */
  targets: string[];
  /** Present when a later successful run covered every failing segment (`target`: the covering segment). */
  resolved_by?: StreamLocation & { command: string; target: string };
  /** Allowlist patterns found in this execution's own output. */
  allowlist_matches: string[];
  /** The end of the execution's output (at most 400 characters). */
  output_excerpt: string;
  note?: string;
}

/** A suspected failure the stream does not show as a failed command (CODEX.md §7 pitfall 1). */
export interface HiddenFailure {
  kind: 'denial_without_command' | 'claim_without_command' | 'failed_file_change' | 'permission_denied';
  line: number;
  item_id: string | null;
  note: string;
}

/** The status the agent reported in its final message (`Status: NEEDS REVIEW`, `"status": "FAIL"`). */
export interface AgentReportedStatus {
  status: 'PASS' | 'NEEDS REVIEW' | 'FAIL' | 'SKIP';
  line: number;
  excerpt: string;
}

/** Everything the analysis found in one event stream. JSON-serialisable. */
export interface StreamAnalysis {
  summary: AgentEventSummary;
  /** Distinct commands in order of first appearance (at most 2000 listed; see `command_count`). */
  commands: string[];
  command_count: number;
  /** True when nothing parsed and commands came from the text fallback (SPEC §5.2). */
  text_fallback: boolean;
  command_categories: Record<CommandCategory, number>;
  /** Sorted distinct commands with a validation segment that succeeded (W11). */
  test_commands: string[];
  /** The first successful execution of each test command. */
  test_runs: TestRunEvidence[];
  /** Unresolved, unwaived failing validation commands, de-duplicated, at most 40. */
  failed_test_commands: string[];
  failed_test_command_count: number;
  /** Unresolved failures whose own output matched an allowlist pattern. */
  waived_test_failures: string[];
  allowlisted_test_failure_matches: string[];
  /** Failing executions (unresolved first, then resolved), at most 60. */
  test_failures: TestFailureRecord[];
  /** Sorted distinct commands that ran `git commit`/`git push` or the finish script (W17). */
  git_commands: string[];
  git_command_lines: Array<StreamLocation & { command: string; segment: string }>;
  safety_violations: Array<{ rule: SafetyRule; command: string }>;
  safety_violation_lines: Array<StreamLocation & { rule: SafetyRule; command: string; segment: string }>;
  /**
   * What commands tried outside the agent's bounds (issue 12): writes outside the allowed roots, env overrides
   * moving homes or caches outside, credential reads, git configuration changes. First execution of each
   * distinct command, at most 200.
   */
  safety_findings: SafetyFinding[];
  hidden_failures: HiddenFailure[];
  agent_status: AgentReportedStatus | null;
  /** The last agent message, at most 4000 characters. */
  last_agent_message: string | null;
  /** Failure text sources (W15): top-level errors and turn failures, at most 20. */
  failure_messages: Array<{ line: number; source: 'error' | 'turn.failed'; message: string }>;
  /** Non-fatal warning items (`item.type = "error"`), at most 10. */
  warnings: string[];
  turns: { started: number; completed: number; failed: number; last: 'completed' | 'failed' | null };
  /** The exit code the stream implies, for analysing a stream without its process. */
  inferred_exit_code: { exit_code: number | null; source: string };
  /** Paths written by `file_change` items (at most 200). */
  file_changes: string[];
  workspace_dir: string | null;
}

/** An incremental analyser: feed it lines (or raw chunks) while the agent runs, then finish. */
export interface StreamAnalyzer {
  /** Analyses one line (without its `\n`); `offsetMs` is its arrival time since launch. */
  pushLine(line: string, offsetMs?: number | null): void;
  /** Feeds raw text; lines are split on `\n` only (W27). */
  write(chunk: string): void;
  /** Returns the analysis. Flushes a last line without `\n`. The analyser must not be fed afterwards. */
  finish(input?: StreamFinishInput): StreamAnalysis;
}

const LIMITS = {
  malformed: 20,
  eventTypes: 500,
  unknownTypes: 100,
  skills: 200,
  distinctCommands: 20_000,
  listedCommands: 2000,
  commandTextSample: 200,
  eventsSample: 80,
  durations: 20,
  inFlight: 10_000,
  testEvidence: 5000,
  failureRecords: 2000,
  resolvedRecords: 40,
  gitCommands: 200,
  violations: 500,
  findings: 200,
  hidden: 20,
  failureMessages: 20,
  warnings: 10,
  fileChanges: 200,
  fallback: 200,
  outputForMatching: 64 * 1024,
  messageChars: 16 * 1024,
  maxLineChars: 8 * 1024 * 1024,
} as const;

const SKILL_KEYS = new Set(['skill', 'skill_name']);
const COMMAND_KEYS = new Set(['command', 'cmd', 'shell_command', 'bash_command']);
// Past-tense failure reports only: agents often state the safety contract in the present ("I can't write
// outside the repository"), which is no failure.
const DENIAL = /\b(permission denied|operation not permitted|read-only file system|(?:workspace|file ?system|directory|folder|repo(?:sitory)?) (?:is|was) read-only|sandbox\w*\b[^.\n]{0,60}\b(?:denied|blocked|prevented|refused)|(?:denied|blocked|refused) by (?:the )?sandbox|(?:could not|couldn't|was unable to|wasn't able to|failed to|was not allowed to|wasn't allowed to) (?:write|create|modify|edit|save|delete|remove|run|execute|install|access))\b/i;
const CLAIM = /\bexit(?:ed)?(?: with)?(?: code| status)?\s*[:=]?\s*\(?-?\d+\b|\b(?:all )?(?:tests?|checks?|lint|typecheck) (?:pass(?:ed|es)?|fail(?:ed|s)?|succeeded)\b/i;
const STATUS = /\bstatus\b["'`*_\s]*[:=]["'`*_\s]*(PASS(?:ED)?|NEEDS[ _-]REVIEW|FAIL(?:ED)?|SKIP(?:PED)?)\b/i;
const OUTPUT_FAIL = /\b[1-9]\d* (?:failed|failing|errors?|fail)\b|^FAIL\b|\bTests?:\s+[1-9]\d* failed\b|\bFound [1-9]\d* errors?\b/im;
const OUTPUT_PASS = /\b\d+ (?:passed|passing|pass)\b|\bAll checks passed\b|\bSuccess: no issues found\b|\bFound 0 errors\b|\b0 fail\b/i;
const WRAPPER_SINGLE = /(?:\S*\/)?(?:ba|z|da|k)?sh\s+-[A-Za-z]*c\s+'([^']+)'/g;
const WRAPPER_DOUBLE = /(?:\S*\/)?(?:ba|z|da|k)?sh\s+-[A-Za-z]*c\s+"((?:[^"\\]|\\.)+)"/g;

type Json = Record<string, unknown>;

function bfsString(root: unknown, keys: ReadonlySet<string>): string | undefined {
  const queue: unknown[] = [root];
  let head = 0;
  while (head < queue.length && head < 240) {
    const node = queue[head++];
    if (Array.isArray(node)) {
      for (const el of node) if (typeof el === 'object' && el !== null) queue.push(el);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    for (const key in node) {
      const v = (node as Json)[key];
      if (typeof v === 'string') {
        if (keys.has(key.toLowerCase()) && v.trim() !== '') return v;
      } else if (typeof v === 'object' && v !== null) queue.push(v);
    }
  }
  return undefined;
}

function compileAllowlist(patterns: readonly string[]): Array<{ pattern: string; test: (s: string) => boolean }> {
  const out: Array<{ pattern: string; test: (s: string) => boolean }> = [];
  const seen = new Set<string>();
  for (const raw of patterns) {
    const pattern = String(raw).trim();
    if (!pattern || seen.has(pattern)) continue;
    seen.add(pattern);
    try {
      const re = new RegExp(pattern, 'i');
      out.push({ pattern, test: (s) => re.test(s) });
    } catch {
      const needle = pattern.toLowerCase();
      out.push({ pattern, test: (s) => s.toLowerCase().includes(needle) });
    }
  }
  return out;
}

/**
 * A flat copy of a string. V8 may return substrings of the parsed line from JSON.parse; keeping such a string
 * keeps the whole (possibly huge) line alive. Everything the analyser retains goes through this.
 */
function detach(s: string): string {
  return s.length === 0 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

function bump(map: Map<string, number>, key: string, cap: number): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < cap) map.set(detach(key), 1);
}

function excerpt(text: string | null | undefined, max = 400): string {
  if (!text) return '';
  // cut before trimming: outputs can be large
  const t = (text.length > max + 1024 ? text.slice(text.length - max - 1024) : text).trimEnd();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

function sentenceAround(text: string, index: number, max = 200): string {
  let start = Math.max(text.lastIndexOf('\n', index), text.lastIndexOf('. ', index));
  start = start < 0 ? 0 : start + 1;
  let end = text.indexOf('\n', index);
  if (end < 0) end = text.length;
  const s = text.slice(start, end).trim();
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

interface CommandState {
  /** The command string, detached from the line it was parsed from. */
  command: string;
  facts: CommandFacts;
  count: number;
  firstLine: number;
  /** Order of first appearance. */
  order: number;
}

interface Execution {
  itemId: string | null;
  command: string | null;
  startOffset: number | null;
}

interface PendingFailure {
  record: TestFailureRecord;
  targets: TestTarget[];
  uncovered: boolean[];
  left: number;
}

class Analyzer implements StreamAnalyzer {
  private readonly allowlist: Array<{ pattern: string; test: (s: string) => boolean }>;
  private readonly maxLineChars: number;
  private readonly workspaceDir: string | undefined;
  private readonly tmpDirs: string[];
  private partial = '';
  private finished = false;

  private lineIndex = 0;
  private parsed = 0;
  private parseErrors = 0;
  private readonly malformed: Array<{ line: number; reason: string }> = [];
  private readonly eventTypes = new Map<string, number>();
  private readonly typeCache = new Map<string, string>();
  private readonly unknownEvents = new Map<string, number>();
  private readonly unknownItems = new Map<string, number>();
  private format: StreamFormat = 'unknown';
  private readonly formatCounts = new Map<StreamFormat, number>();
  private readonly skills = new Map<string, number>();
  private readonly usage: Record<string, number> = {};

  private readonly inFlight = new Map<string, Execution>();
  private executions = 0;
  private unfinishedDropped = 0;
  private readonly sample: CommandEventSample[] = [];
  private readonly distinct = new Map<string, CommandState>();
  private overflowCommands = 0;
  private readonly commandTextSample: string[] = [];
  private readonly durations: CommandDuration[] = [];
  private readonly categories: Record<CommandCategory, number> = { dependency_install: 0, tests: 0, lint_or_typecheck: 0, git_ops: 0, repo_reading: 0, other: 0 };

  private readonly testRuns = new Map<string, TestRunEvidence>();
  private readonly pending: PendingFailure[] = [];
  private readonly resolved: TestFailureRecord[] = [];
  private droppedFailures = 0;
  private readonly git = new Map<string, StreamLocation & { command: string; segment: string }>();
  private readonly violations = new Map<string, StreamLocation & { rule: SafetyRule; command: string; segment: string }>();
  private readonly findings = new Map<string, SafetyFinding>();
  private readonly scopeOptions: StreamAnalyzerOptions;
  private scopeCache: { workspace: string | undefined; scope: PathScope } | undefined;

  private anyFailedExecution = false;
  private readonly hidden: HiddenFailure[] = [];
  private readonly failedFileChanges = new Map<string, HiddenFailure>();
  private readonly fileChangeInFlight = new Map<string, string[]>();
  private readonly fileChanges = new Set<string>();
  private lastMessage: string | null = null;
  private lastMessageLine = 0;
  private readonly failureMessages: Array<{ line: number; source: 'error' | 'turn.failed'; message: string }> = [];
  private readonly warnings: string[] = [];
  private turnsStarted = 0;
  private turnsCompleted = 0;
  private turnsFailed = 0;
  private lastTurn: 'completed' | 'failed' | null = null;
  private legacyWorkdir: string | undefined;
  private readonly fallbackSingle: string[] = [];
  private readonly fallbackDouble: string[] = [];

  constructor(options: StreamAnalyzerOptions) {
    this.allowlist = compileAllowlist(options.allowlist ?? []);
    this.maxLineChars = options.maxLineChars ?? LIMITS.maxLineChars;
    this.workspaceDir = options.workspaceDir ? normalizeDir(options.workspaceDir) : undefined;
    this.tmpDirs = ['/tmp', '/private/tmp', ...(options.tmpDirs ?? []).map(normalizeDir)];
    this.scopeOptions = options;
  }

  /** The path scope of the workspace known so far (the option, or the legacy format's `workdir`). */
  private scope(): PathScope {
    const workspace = this.workspaceDir ?? (this.legacyWorkdir ? normalizeDir(this.legacyWorkdir) : undefined);
    if (this.scopeCache?.workspace !== workspace || this.scopeCache === undefined) {
      const o = this.scopeOptions;
      this.scopeCache = { workspace, scope: buildPathScope({ workspaceDir: workspace, tmpDirs: o.tmpDirs ?? [], allowedWriteRoots: o.allowedWriteRoots ?? [], homeDir: o.homeDir, secretPaths: o.secretPaths ?? [] }) };
    }
    return this.scopeCache.scope;
  }

  /** Records the safety findings of a command at its first execution (once per distinct command). */
  private recordFindings(command: string, line: number, itemId: string | null): void {
    if (this.findings.size >= LIMITS.findings) return;
    for (const f of commandSafetyFindings(command, this.scope())) {
      const key = `${f.kind}\u0000${f.path ?? f.note}\u0000${command}`;
      if (this.findings.has(key) || this.findings.size >= LIMITS.findings) continue;
      this.findings.set(key, { kind: f.kind, ...(f.path !== undefined ? { path: detach(f.path) } : {}), command, line, item_id: itemId, note: detach(`\`${f.segment}\` ${f.note} → ${f.kind}`) });
    }
  }

  write(chunk: string): void {
    let text = this.partial + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.pushLine(text.slice(start, nl));
      start = nl + 1;
    }
    text = text.slice(start);
    if (text.length > this.maxLineChars) {
      // keep memory bounded: remember only that the line is too long
      this.partial = text.slice(0, 1);
      this.pendingOversize = true;
    } else this.partial = text;
  }

  private pendingOversize = false;

  pushLine(rawLine: string, offsetMs: number | null = null): void {
    if (this.finished) throw new Error('StreamAnalyzer: pushLine after finish');
    const idx = this.lineIndex++;
    const lineNo = idx + 1;
    if (this.pendingOversize) {
      this.pendingOversize = false;
      this.malformedLine(lineNo, `line longer than ${this.maxLineChars} characters; skipped`);
      return;
    }
    if (rawLine.length > this.maxLineChars) {
      this.malformedLine(lineNo, `line longer than ${this.maxLineChars} characters; skipped`);
      return;
    }
    let line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0) return;
    const c0 = line.charCodeAt(0);
    if (c0 <= 32 || line.charCodeAt(line.length - 1) <= 32) {
      line = line.trim();
      if (line.length === 0) return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(line);
    } catch {
      this.malformedLine(lineNo, 'not valid JSON');
      this.scanFallback(line);
      return;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      this.malformedLine(lineNo, 'not a JSON object');
      return;
    }
    this.parsed++;
    const p = payload as Json;
    const offset = offsetMs !== null && Number.isInteger(offsetMs) ? offsetMs : null;
    const eventType = this.eventTypeOf(p);
    bump(this.eventTypes, eventType, LIMITS.eventTypes);

    if (line.indexOf('kill') >= 0 || line.indexOf('KILL') >= 0) {
      const skill = bfsString(p, SKILL_KEYS);
      if (skill !== undefined) bump(this.skills, skill.trim(), LIMITS.skills);
    }

    const nl = normalizeEvent(p);
    if (nl.format !== undefined) {
      if (this.format === 'unknown') this.format = nl.format;
      this.formatCounts.set(nl.format, (this.formatCounts.get(nl.format) ?? 0) + 1);
    }
    if (nl.unknownEventType !== undefined) bump(this.unknownEvents, nl.unknownEventType, LIMITS.unknownTypes);
    if (nl.unknownItemType !== undefined) bump(this.unknownItems, nl.unknownItemType, LIMITS.unknownTypes);
    if (this.legacyWorkdir === undefined && nl.format === 'codex_legacy' && typeof p.workdir === 'string') this.legacyWorkdir = detach(p.workdir);

    let sawCommand = false;
    for (const ev of nl.events) {
      if (ev.kind === 'command') sawCommand = true;
      this.handle(ev, eventType, lineNo, offset);
    }
    if (!sawCommand && (line.indexOf('"command"') >= 0 || line.indexOf('"cmd"') >= 0 || line.indexOf('_command"') >= 0)) {
      const command = bfsString(p, COMMAND_KEYS);
      if (command !== undefined && command.trim() !== '') {
        this.handle({ kind: 'command', phase: 'completed', itemId: null, command: command.trim(), status: '', exitCode: null, output: null }, eventType, lineNo, offset);
      }
    }
  }

  private eventTypeOf(p: Json): string {
    let v: unknown = p.type || p.event || p.name;
    if (!v) {
      const msg = p.msg;
      if (typeof msg === 'object' && msg !== null) v = (msg as Json).type;
    }
    if (!v) return 'unknown';
    const raw = typeof v === 'string' ? v : String(v);
    let t = this.typeCache.get(raw);
    if (t === undefined) {
      t = detach(raw.trim().toLowerCase() || 'unknown');
      if (this.typeCache.size < 1000) this.typeCache.set(detach(raw), t);
    }
    return t;
  }

  private malformedLine(line: number, reason: string): void {
    this.parseErrors++;
    if (this.malformed.length < LIMITS.malformed) this.malformed.push({ line, reason });
  }

  private scanFallback(text: string): void {
    if (text.length > 64 * 1024) return;
    if (this.fallbackSingle.length >= LIMITS.fallback && this.fallbackDouble.length >= LIMITS.fallback) return;
    if (text.indexOf('sh') < 0) return;
    for (const m of text.matchAll(WRAPPER_SINGLE)) if (this.fallbackSingle.length < LIMITS.fallback) this.fallbackSingle.push(detach(m[1]!.trim()));
    for (const m of text.matchAll(WRAPPER_DOUBLE)) if (this.fallbackDouble.length < LIMITS.fallback) this.fallbackDouble.push(detach(m[1]!.replace(/\\(["\\$`])/g, '$1').trim()));
  }

  private handle(ev: NormalizedEvent, eventType: string, line: number, offset: number | null): void {
    switch (ev.kind) {
      case 'command':
        this.onCommand(ev, eventType, line, offset);
        return;
      case 'tool_result': {
        const exec = this.inFlight.get(ev.itemId);
        if (exec) {
          this.onCommand({ kind: 'command', phase: 'completed', itemId: ev.itemId, command: null, status: ev.isError ? 'failed' : 'completed', exitCode: ev.isError ? 1 : 0, output: ev.output }, eventType, line, offset);
          return;
        }
        const paths = this.fileChangeInFlight.get(ev.itemId);
        if (paths) this.onFileChange({ kind: 'file_change', phase: 'completed', itemId: ev.itemId, status: ev.isError ? 'failed' : 'completed', paths: [] }, line);
        return;
      }
      case 'file_change':
        this.onFileChange(ev, line);
        return;
      case 'agent_message':
        this.onMessage(ev.text, ev.itemId, line);
        return;
      case 'turn_started':
        this.turnsStarted++;
        return;
      case 'turn_completed':
        this.turnsCompleted++;
        this.lastTurn = 'completed';
        if (ev.usage) this.takeUsage(ev.usage);
        return;
      case 'turn_failed':
        this.turnsFailed++;
        this.lastTurn = 'failed';
        this.failureMessage(line, 'turn.failed', ev.message);
        return;
      case 'error':
        this.failureMessage(line, 'error', ev.message);
        return;
      case 'warning':
        if (this.warnings.length < LIMITS.warnings) this.warnings.push(detach(excerpt(ev.message, 300)));
        return;
      case 'usage':
        this.takeUsage(ev.usage);
        return;
      case 'permission_denied':
        this.addHidden({ kind: 'permission_denied', line, item_id: ev.itemId, note: `${ev.tool || 'a tool'} was denied${ev.command ? `: \`${excerpt(ev.command, 160)}\`` : ''}` });
        return;
    }
  }

  private takeUsage(usage: Record<string, unknown>): void {
    for (const key in usage) {
      const n = parseIntLoose(usage[key]);
      if (n !== null && typeof usage[key] !== 'object') this.usage[key] = n;
    }
  }

  private failureMessage(line: number, source: 'error' | 'turn.failed', message: string): void {
    if (this.failureMessages.length < LIMITS.failureMessages) this.failureMessages.push({ line, source, message: detach(excerpt(message, 2000)) });
  }

  private addHidden(h: HiddenFailure): void {
    if (this.hidden.length < LIMITS.hidden) this.hidden.push({ ...h, item_id: h.item_id === null ? null : detach(h.item_id), note: detach(h.note) });
  }

  private onMessage(text: string, itemId: string | null, line: number): void {
    const head = text.length > LIMITS.messageChars ? text.slice(0, LIMITS.messageChars) : text;
    this.lastMessage = detach(head);
    this.lastMessageLine = line;
    if (!this.anyFailedExecution) {
      const m = DENIAL.exec(head);
      if (m) {
        this.addHidden({ kind: 'denial_without_command', line, item_id: itemId, note: `agent message reports a denied or failed action ("${sentenceAround(head, m.index)}") but no failed command or file change precedes it; codex drops sandbox-denied commands from the stream` });
        return;
      }
    }
    if (this.executions === 0) {
      const m = CLAIM.exec(head);
      if (m) this.addHidden({ kind: 'claim_without_command', line, item_id: itemId, note: `agent message cites a command result ("${sentenceAround(head, m.index)}") but the stream has no command execution at all` });
    }
  }

  private onFileChange(ev: Extract<NormalizedEvent, { kind: 'file_change' }>, line: number): void {
    let paths = ev.paths;
    if (ev.itemId) {
      if (ev.phase !== 'completed') {
        if (paths.length && this.fileChangeInFlight.size < LIMITS.inFlight) this.fileChangeInFlight.set(detach(ev.itemId), paths.map(detach));
      } else {
        const started = this.fileChangeInFlight.get(ev.itemId);
        if (started) this.fileChangeInFlight.delete(ev.itemId);
        if (paths.length === 0 && started) paths = started;
      }
    }
    for (const p of paths) if (this.fileChanges.size < LIMITS.fileChanges && !this.fileChanges.has(p)) this.fileChanges.add(detach(p));
    if (ev.phase !== 'completed') return;
    const status = ev.status.toLowerCase();
    if (status === 'failed' || status === 'declined') {
      this.anyFailedExecution = true;
      for (const p of paths) {
        if (!this.failedFileChanges.has(p) && this.failedFileChanges.size < LIMITS.hidden) {
          this.failedFileChanges.set(detach(p), { kind: 'failed_file_change', line, item_id: ev.itemId === null ? null : detach(ev.itemId), note: detach(`file change to ${p} ${status} and no later change to it succeeded`) });
        }
      }
    } else if (status === 'completed') {
      for (const p of paths) this.failedFileChanges.delete(p);
    }
  }

  private stateOf(command: string, line: number): CommandState {
    let state = this.distinct.get(command);
    if (state) return state;
    const own = detach(command);
    state = { command: own, facts: commandFacts(own), count: 0, firstLine: line, order: this.distinct.size + this.overflowCommands };
    if (this.distinct.size < LIMITS.distinctCommands) this.distinct.set(own, state);
    else this.overflowCommands++;
    this.categories[state.facts.category]++;
    if (this.commandTextSample.length < LIMITS.commandTextSample) this.commandTextSample.push(own);
    return state;
  }

  private recordExecutionStart(raw: string, line: number, itemId: string | null): CommandState {
    const state = this.stateOf(raw, line);
    const command = state.command;
    state.count++;
    this.executions++;
    if (state.count === 1) this.recordFindings(command, line, itemId);
    const f = state.facts;
    for (let k = 0; k < f.safety.length; k++) {
      const rule = f.safety[k]!;
      const key = `${rule}\u0000${command}`;
      if (!this.violations.has(key) && this.violations.size < LIMITS.violations) this.violations.set(key, { rule, command, segment: f.safetySegments[k]!, line, item_id: itemId });
    }
    if (f.git && !this.git.has(command) && this.git.size < LIMITS.gitCommands) this.git.set(command, { command, segment: f.gitSegment ?? command, line, item_id: itemId });
    return state;
  }

  private onCommand(ev: Extract<NormalizedEvent, { kind: 'command' }>, eventType: string, line: number, offset: number | null): void {
    const rawItemId = ev.itemId;
    let exec = rawItemId !== null ? this.inFlight.get(rawItemId) : undefined;
    const raw = ev.command ?? exec?.command ?? null;
    if (raw === null) return;
    const itemId = exec ? exec.itemId : rawItemId === null ? null : detach(rawItemId);
    let state: CommandState | undefined;
    let durationMs: number | null = null;
    let command: string;
    if (ev.phase === 'started' || ev.phase === 'updated') {
      if (!exec) {
        state = this.recordExecutionStart(raw, line, itemId);
        command = state.command;
        exec = { itemId, command, startOffset: offset };
        if (itemId !== null) {
          if (this.inFlight.size >= LIMITS.inFlight) {
            const oldest = this.inFlight.keys().next().value as string;
            this.inFlight.delete(oldest);
            this.unfinishedDropped++;
          }
          this.inFlight.set(itemId, exec);
        }
      } else {
        if (ev.command) exec.command = this.stateOf(ev.command, line).command;
        command = exec.command!;
      }
    } else {
      if (exec && itemId !== null) this.inFlight.delete(itemId);
      state = exec ? this.stateOf(raw, line) : this.recordExecutionStart(raw, line, itemId);
      command = state.command;
      if (exec && exec.startOffset !== null && offset !== null) {
        durationMs = Math.max(offset - exec.startOffset, 0);
        this.addDuration({ command, duration_ms: durationMs, status: detach(ev.status), exit_code: ev.exitCode, item_id: itemId });
      }
      this.complete(state, command, ev, line, itemId);
    }
    if (this.sample.length < LIMITS.eventsSample) {
      this.sample.push({ event_type: eventType, local_offset_ms: offset, status: detach(ev.status), duration_ms: durationMs, exit_code: ev.exitCode, item_id: itemId, command, line });
    }
  }

  private addDuration(d: CommandDuration): void {
    const list = this.durations;
    if (list.length === LIMITS.durations && list[list.length - 1]!.duration_ms >= d.duration_ms) return;
    let i = list.length;
    while (i > 0 && list[i - 1]!.duration_ms < d.duration_ms) i--;
    list.splice(i, 0, d);
    if (list.length > LIMITS.durations) list.pop();
  }

  private complete(state: CommandState, command: string, ev: Extract<NormalizedEvent, { kind: 'command' }>, line: number, itemId: string | null): void {
    const exitCode = ev.exitCode;
    const status = ev.status.toLowerCase();
    if ((exitCode !== null && exitCode !== 0) || status === 'failed' || status === 'declined') this.anyFailedExecution = true;
    const targets = state.facts.testTargets;
    if (targets.length === 0 || exitCode === null) return;
    const output = ev.output ?? '';
    const tail = output.length > LIMITS.outputForMatching ? output.slice(output.length - LIMITS.outputForMatching) : output;
    if (exitCode !== 0) {
      this.recordFailure(command, targets, exitCode, tail, line, itemId, undefined);
      return;
    }
    let success = targets;
    let note: string | undefined;
    if (targets.some((t) => t.masked)) {
      const masked = targets.filter((t) => t.masked);
      success = targets.filter((t) => !t.masked);
      if (OUTPUT_FAIL.test(tail)) {
        const m = OUTPUT_FAIL.exec(tail);
        this.recordFailure(command, masked, exitCode, tail, line, itemId, `exit 0, but the exit status of ${masked.map((t) => `\`${t.normalized}\``).join(', ')} is masked and the output reports failures ("${m ? sentenceAround(tail, m.index, 120) : ''}")`);
      } else if (OUTPUT_PASS.test(tail)) {
        success = targets;
        note = 'exit status masked (pipe, `||` or `;`), but the output shows a passing summary';
      }
    }
    if (success.length === 0) return;
    if (!this.testRuns.has(command) && this.testRuns.size < LIMITS.testEvidence) {
      this.testRuns.set(command, { command, line, item_id: itemId, exit_code: 0, targets: success.map((t) => t.normalized), ...(note ? { note } : {}) });
    }
    for (let k = 0; k < this.pending.length; k++) {
      const p = this.pending[k]!;
      let cover: TestTarget | undefined;
      for (let i = 0; i < p.targets.length; i++) {
        if (!p.uncovered[i]) continue;
        const by = success.find((s) => targetCovers(s, p.targets[i]!));
        if (by) {
          cover = by;
          p.uncovered[i] = false;
          p.left--;
        }
      }
      if (p.left === 0) {
        p.record.resolved_by = { command, target: cover?.normalized ?? command, line, item_id: itemId };
        if (this.resolved.length < LIMITS.resolvedRecords) this.resolved.push(p.record);
        this.pending.splice(k, 1);
        k--;
      }
    }
  }

  private recordFailure(command: string, targets: TestTarget[], exitCode: number, output: string, line: number, itemId: string | null, note: string | undefined): void {
    if (this.pending.length >= LIMITS.failureRecords) {
      this.droppedFailures++;
      return;
    }
    const matches = this.allowlist.filter((a) => a.test(output)).map((a) => a.pattern);
    const record: TestFailureRecord = { command, line, item_id: itemId, exit_code: exitCode, targets: targets.map((t) => t.normalized), allowlist_matches: matches, output_excerpt: detach(excerpt(output)), ...(note ? { note: detach(note) } : {}) };
    this.pending.push({ record, targets, uncovered: targets.map(() => true), left: targets.length });
  }

  finish(input: StreamFinishInput = {}): StreamAnalysis {
    if (!this.finished && this.partial.length > 0) {
      const last = this.partial;
      this.partial = '';
      this.pushLine(last);
    }
    this.finished = true;
    const stderr = input.stderr ?? '';

    // failures: unresolved first (in order), waived separately
    const failed: string[] = [];
    const failedSet = new Set<string>();
    const waived: string[] = [];
    const waivedSet = new Set<string>();
    const matches: string[] = [];
    for (const p of this.pending) {
      const r = p.record;
      if (r.allowlist_matches.length > 0) {
        for (const m of r.allowlist_matches) if (!matches.includes(m) && matches.length < 20) matches.push(m);
        if (!waivedSet.has(r.command)) {
          waivedSet.add(r.command);
          waived.push(r.command);
        }
      } else if (!failedSet.has(r.command)) {
        failedSet.add(r.command);
        failed.push(r.command);
      }
    }
    // a command with both waived and unwaived unresolved failures is failed, not waived
    const waivedOnly = waived.filter((c) => !failedSet.has(c));
    const failedCount = failed.length + (this.droppedFailures > 0 ? 1 : 0);

    let commands = [...this.distinct.keys()];
    let textFallback = false;
    let testCommands = [...this.testRuns.keys()].sort();
    if (this.parsed === 0) {
      textFallback = true;
      for (const m of stderr.slice(0, 1024 * 1024).matchAll(WRAPPER_SINGLE)) if (this.fallbackSingle.length < LIMITS.fallback) this.fallbackSingle.push(m[1]!.trim());
      for (const m of stderr.slice(0, 1024 * 1024).matchAll(WRAPPER_DOUBLE)) if (this.fallbackDouble.length < LIMITS.fallback) this.fallbackDouble.push(m[1]!.replace(/\\(["\\$`])/g, '$1').trim());
      const seen = new Set<string>();
      commands = [];
      for (const c of [...this.fallbackSingle, ...this.fallbackDouble]) {
        if (c && !seen.has(c)) {
          seen.add(c);
          commands.push(c);
        }
      }
      if (commands.length === 0) {
        commands = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 20);
      }
      for (const c of commands) {
        const state = { facts: commandFacts(c) };
        if (state.facts.testTargets.length > 0 && !this.testRuns.has(c)) this.testRuns.set(c, { command: c, line: 0, item_id: null, exit_code: 0, targets: state.facts.testTargets.map((t) => t.normalized), note: 'text fallback: no parsed events, a text match is enough' });
        for (let k = 0; k < state.facts.safety.length; k++) {
          const rule = state.facts.safety[k]!;
          const key = `${rule}\u0000${c}`;
          if (!this.violations.has(key)) this.violations.set(key, { rule, command: c, segment: state.facts.safetySegments[k]!, line: 0, item_id: null });
        }
        if (state.facts.git && !this.git.has(c)) this.git.set(c, { command: c, segment: state.facts.gitSegment ?? c, line: 0, item_id: null });
        this.recordFindings(c, 0, null);
      }
      testCommands = [...this.testRuns.keys()].sort();
    }

    // writes outside the workspace
    const workspace = this.workspaceDir ?? (this.legacyWorkdir ? normalizeDir(this.legacyWorkdir) : undefined);
    for (const path of this.fileChanges) {
      if (this.violations.size >= LIMITS.violations) break;
      const outside = this.isOutside(path, workspace);
      if (outside) {
        const command = `file_change ${path}`;
        const key = `write_outside_repo\u0000${command}`;
        if (!this.violations.has(key)) this.violations.set(key, { rule: 'write_outside_repo', command, segment: path, line: 0, item_id: null });
      } else if (isGitInternal(normalizeDir(path)) && this.findings.size < LIMITS.findings) {
        const command = `file_change ${path}`;
        const key = `git_config\u0000${path}\u0000${command}`;
        if (!this.findings.has(key)) this.findings.set(key, { kind: 'git_config', path, command, line: 0, item_id: null, note: `file_change writes ${path}, inside the repository's git internals (hooks, info, config) → git_config` });
      }
    }
    const hidden = [...this.hidden, ...this.failedFileChanges.values()].slice(0, LIMITS.hidden);

    let agentStatus: AgentReportedStatus | null = null;
    if (this.lastMessage) {
      const m = STATUS.exec(this.lastMessage);
      if (m) {
        const raw = m[1]!.toUpperCase().replace(/[_-]/g, ' ');
        const status = raw.startsWith('PASS') ? 'PASS' : raw.startsWith('NEEDS') ? 'NEEDS REVIEW' : raw.startsWith('FAIL') ? 'FAIL' : 'SKIP';
        agentStatus = { status, line: this.lastMessageLine, excerpt: sentenceAround(this.lastMessage, m.index, 160) };
      }
    }

    const frequency = [...this.distinct.entries()]
      .filter(([, s]) => s.count > 0)
      .sort((a, b) => b[1].count - a[1].count || a[1].order - b[1].order)
      .slice(0, 20)
      .map(([value, s]) => ({ value, count: s.count }));

    const summary: AgentEventSummary = {
      jsonl_line_count: this.lineIndex,
      parsed_event_count: this.parsed,
      parse_error_count: this.parseErrors,
      event_type_counts: Object.fromEntries(this.eventTypes),
      command_event_count: this.executions,
      command_events_sample: this.sample,
      command_text_sample: this.commandTextSample,
      top_commands_by_frequency: frequency,
      top_commands_by_duration: this.durations,
      skill_event_counts: Object.fromEntries(this.skills),
      usage: { ...this.usage },
      format: this.format,
      format_counts: Object.fromEntries(this.formatCounts),
      unknown_event_type_counts: Object.fromEntries(this.unknownEvents),
      unknown_item_type_counts: Object.fromEntries(this.unknownItems),
      malformed_lines: this.malformed,
      unfinished_execution_count: this.inFlight.size + this.unfinishedDropped,
    };

    const gitLines = [...this.git.values()];
    const violationLines = [...this.violations.values()];
    return {
      summary,
      commands: commands.slice(0, LIMITS.listedCommands),
      command_count: textFallback ? commands.length : this.distinct.size + this.overflowCommands,
      text_fallback: textFallback,
      command_categories: textFallback ? this.fallbackCategories(commands) : { ...this.categories },
      test_commands: testCommands,
      test_runs: testCommands.map((c) => this.testRuns.get(c)!).sort((a, b) => a.line - b.line),
      failed_test_commands: failed.slice(0, 40),
      failed_test_command_count: failedCount,
      waived_test_failures: waivedOnly.slice(0, 40),
      allowlisted_test_failure_matches: matches,
      test_failures: [...this.pending.map((p) => p.record), ...this.resolved].slice(0, 60),
      git_commands: [...this.git.keys()].sort(),
      git_command_lines: gitLines,
      safety_violations: violationLines.map((v) => ({ rule: v.rule, command: v.command })),
      safety_violation_lines: violationLines,
      safety_findings: [...this.findings.values()],
      hidden_failures: hidden,
      agent_status: agentStatus,
      last_agent_message: this.lastMessage === null ? null : this.lastMessage.slice(0, 4000),
      failure_messages: this.failureMessages,
      warnings: this.warnings,
      turns: { started: this.turnsStarted, completed: this.turnsCompleted, failed: this.turnsFailed, last: this.lastTurn },
      inferred_exit_code: this.inferExitCode(),
      file_changes: [...this.fileChanges],
      workspace_dir: workspace ?? null,
    };
  }

  private fallbackCategories(commands: string[]): Record<CommandCategory, number> {
    const out = Object.fromEntries(COMMAND_CATEGORIES.map((c) => [c, 0])) as Record<CommandCategory, number>;
    for (const c of commands) out[commandFacts(c).category]++;
    return out;
  }

  private isOutside(path: string, workspace: string | undefined): boolean {
    const p = path.trim();
    if (!p) return false;
    if (!p.startsWith('/')) {
      return normalizeDir(p).startsWith('..');
    }
    const abs = normalizeDir(p);
    for (const t of this.tmpDirs) if (abs === t || abs.startsWith(`${t}/`)) return false;
    if (workspace === undefined) return false;
    return !(abs === workspace || abs.startsWith(`${workspace}/`));
  }

  private inferExitCode(): { exit_code: number | null; source: string } {
    if (this.lastTurn === 'failed') return { exit_code: 1, source: 'the last turn failed (turn.failed)' };
    if (this.lastTurn === 'completed') return { exit_code: 0, source: 'the last turn completed (turn.completed)' };
    if (this.parsed === 0) return { exit_code: null, source: 'no events parsed' };
    if (this.format === 'codex_legacy' || this.format === 'codex_experimental_json') {
      return this.failureMessages.length > 0 ? { exit_code: 1, source: 'error events in a format without turn results' } : { exit_code: 0, source: 'no error events in a format without turn results' };
    }
    return { exit_code: 1, source: 'the stream ended before the turn finished (interrupted or truncated)' };
  }
}

/**
 * Creates an incremental analyser of an agent event stream (SPEC §5.1–5.3). Feed it line by line while the
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
 * Analyses a whole stdout text at once (SPEC §5.1 input: the raw text plus optional arrival offsets, one per
 * line as split on `\n`).
 */
export function analyzeEventText(text: string, options: StreamAnalyzerOptions & StreamFinishInput & { offsets?: readonly unknown[] } = {}): StreamAnalysis {
  const analyzer = createStreamAnalyzer(options);
  const offsets = options.offsets;
  let start = 0;
  let idx = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    const off = offsets?.[idx];
    analyzer.pushLine(text.slice(start, nl), typeof off === 'number' && Number.isInteger(off) ? off : null);
    start = nl + 1;
    idx++;
  }
  if (start < text.length) {
    const off = offsets?.[idx];
    analyzer.pushLine(text.slice(start), typeof off === 'number' && Number.isInteger(off) ? off : null);
  }
  return analyzer.finish(options.stderr === undefined ? {} : { stderr: options.stderr });
}
