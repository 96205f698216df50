import type { CommandFacts } from './command-facts.js';
import { LIMITS, detach, setOnce } from './bounded.js';
import { buildPathScope, isGitInternal, type PathScope } from './path-scope.js';
import { commandSafetyFindings, type SafetyFinding } from './safety-findings.js';
import { refusalClause } from './refused-actions.js';
import { normalizeDir } from './shell-segments.js';
import type { GitCommandLine, RefusedAction, SafetyViolationLine, StreamAnalysis, StreamAnalyzerOptions } from './stream-types.js';

/** The safety part of a {@link StreamAnalysis}. */
export type SafetyResult = Pick<StreamAnalysis, 'git_commands' | 'git_command_lines' | 'safety_violations' | 'safety_violation_lines' | 'safety_findings'>;

/**
 * What the agent's commands and file changes did that the safety rules care about (issue 12): rule
 * violations, git commit/push, and writes, env overrides, credential reads and git configuration outside its
 * bounds. The first occurrence of each is kept, every map capped (see {@link LIMITS}).
 */
export class SafetyRecord {
  private readonly git = new Map<string, GitCommandLine>();
  private readonly violations = new Map<string, SafetyViolationLine>();
  private readonly findings = new Map<string, SafetyFinding>();
  private readonly tmpDirs: string[];
  private scopeCache: { workspace: string | undefined; scope: PathScope } | undefined;

  /** `workspace` returns the workspace known so far (the option, or one the stream names). */
  constructor(private readonly options: StreamAnalyzerOptions, private readonly workspace: () => string | undefined) {
    this.tmpDirs = ['/tmp', '/private/tmp', ...(options.tmpDirs ?? []).map(normalizeDir)];
  }

  /** Records what a command shows, at its first execution (`line` 0 and no item for the text fallback). */
  command(command: string, facts: CommandFacts, line: number, itemId: string | null): void {
    this.recordFindings(command, line, itemId);
    for (let k = 0; k < facts.safety.length; k++) {
      const rule = facts.safety[k]!;
      setOnce(this.violations, `${rule}\u0000${command}`, LIMITS.violations, () => ({ rule, command, segment: facts.safetySegments[k]!, line, item_id: itemId }));
    }
    if (facts.git) setOnce(this.git, command, LIMITS.gitCommands, () => ({ command, segment: facts.gitSegment ?? command, line, item_id: itemId }));
  }

  /** The path scope of the workspace known so far. */
  private scope(): PathScope {
    const workspace = this.workspace();
    if (this.scopeCache?.workspace !== workspace || this.scopeCache === undefined) {
      const o = this.options;
      const roots = { tmpDirs: o.tmpDirs ?? [], allowedWriteRoots: o.allowedWriteRoots ?? [], secretPaths: o.secretPaths ?? [] };
      const scope = buildPathScope({ workspaceDir: workspace, ...roots, homeDir: o.homeDir });
      this.scopeCache = { workspace, scope };
    }
    return this.scopeCache.scope;
  }

  private recordFindings(command: string, line: number, itemId: string | null): void {
    if (this.findings.size >= LIMITS.findings) return;
    for (const f of commandSafetyFindings(command, this.scope())) {
      setOnce(this.findings, `${f.kind}\u0000${f.path ?? f.note}\u0000${command}`, LIMITS.findings, () => ({
        kind: f.kind, ...(f.path !== undefined ? { path: detach(f.path) } : {}), command, line, item_id: itemId, note: detach(`\`${f.segment}\` ${f.note} → ${f.kind}`),
      }));
    }
  }

  /** Judges the paths `file_change` items wrote: outside the workspace is `write_outside_repo`, git internals `git_config`. */
  fileChanges(paths: readonly string[]): void {
    const workspace = this.workspace();
    for (const path of paths) {
      if (this.violations.size >= LIMITS.violations) break;
      const command = `file_change ${path}`;
      if (this.isOutside(path, workspace)) {
        setOnce(this.violations, `write_outside_repo\u0000${command}`, LIMITS.violations, (): SafetyViolationLine => ({ rule: 'write_outside_repo', command, segment: path, line: 0, item_id: null }));
      } else if (isGitInternal(normalizeDir(path))) {
        const note = `file_change writes ${path}, inside the repository's git internals (hooks, info, config) → git_config`;
        setOnce(this.findings, `git_config\u0000${path}\u0000${command}`, LIMITS.findings, (): SafetyFinding => ({ kind: 'git_config', path, command, line: 0, item_id: null, note }));
      }
    }
  }

  /**
   * Judges what never happened. A refused or failed write outside the workspace (or into git internals) is a finding
   * that says it was tried and refused: the attempt is the signal, as for a sandbox denial. The findings, violations
   * and git lines of a refused command are marked refused when every execution of that command was refused
   * (`executions(command)`: how many started).
   */
  refusedActions(actions: readonly RefusedAction[], executions: (command: string) => number): void {
    const refusedRuns = new Map<string, number>();
    for (const a of actions) {
      if (a.kind === 'file_change') this.refusedWrite(a);
      else refusedRuns.set(a.target, (refusedRuns.get(a.target) ?? 0) + 1);
    }
    if (refusedRuns.size === 0) return;
    const clauseFor = (command: string, itemId: string | null): string | undefined => {
      const n = refusedRuns.get(command);
      if (n === undefined || n < executions(command)) return undefined;
      const a = actions.find((x) => x.kind === 'command' && x.target === command && (itemId === null || x.item_id === itemId)) ?? actions.find((x) => x.kind === 'command' && x.target === command);
      return a ? refusalClause(a) : undefined;
    };
    for (const f of this.findings.values()) {
      const clause = f.refused === undefined ? clauseFor(f.command, f.item_id) : undefined;
      if (clause) Object.assign(f, { refused: clause, note: f.note.replace(/ → (\w+)$/, `; tried, refused: ${clause}, it never ran → $1`) });
    }
    for (const v of this.violations.values()) {
      const clause = clauseFor(v.command, v.item_id);
      if (clause) v.refused = clause;
    }
    for (const g of this.git.values()) {
      const clause = clauseFor(g.command, g.item_id);
      if (clause) g.refused = clause;
    }
  }

  private refusedWrite(a: RefusedAction): void {
    const workspace = this.workspace();
    const path = a.target;
    const clause = refusalClause(a);
    const command = `${a.tool} ${path}`;
    const base = { path, command, line: a.line, item_id: a.item_id, refused: clause };
    if (this.isOutside(path, workspace)) {
      const note = `${a.tool} tried to write ${path}, outside the workspace${workspace ? ` ${workspace}` : ''} and /tmp; refused: ${clause}, nothing was written → write_outside`;
      setOnce(this.findings, `write_outside\u0000${path}\u0000${command}`, LIMITS.findings, (): SafetyFinding => ({ kind: 'write_outside', ...base, note }));
    } else if (isGitInternal(normalizeDir(path))) {
      const note = `${a.tool} tried to write ${path}, inside the repository's git internals (hooks, info, config); refused: ${clause}, nothing was written → git_config`;
      setOnce(this.findings, `git_config\u0000${path}\u0000${command}`, LIMITS.findings, (): SafetyFinding => ({ kind: 'git_config', ...base, note }));
    }
  }

  private isOutside(path: string, workspace: string | undefined): boolean {
    const p = path.trim();
    if (!p) return false;
    if (!p.startsWith('/')) return normalizeDir(p).startsWith('..');
    const abs = normalizeDir(p);
    for (const t of this.tmpDirs) if (abs === t || abs.startsWith(`${t}/`)) return false;
    if (workspace === undefined) return false;
    return !(abs === workspace || abs.startsWith(`${workspace}/`));
  }

  /** The record: git commands sorted, violations and findings in order of first occurrence. */
  result(): SafetyResult {
    const violationLines = [...this.violations.values()];
    return {
      git_commands: [...this.git.keys()].sort(),
      git_command_lines: [...this.git.values()],
      safety_violations: violationLines.map((v) => ({ rule: v.rule, command: v.command })),
      safety_violation_lines: violationLines,
      safety_findings: [...this.findings.values()],
    };
  }
}
