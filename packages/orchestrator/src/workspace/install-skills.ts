import { getAgentEngine } from '@agentpr/codex-runner';
import type { EngineName } from '@agentpr/policy';
import { installSkills as installSkillDirs, skillsStatus as readSkillsStatus, type InstallSkillsReport, type SkillsStatusReport } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** What the skills commands need from the app context: no database. */
export type SkillsContext = Pick<AppContext, 'paths' | 'env'>;

/** Flags shared by install-skills and skills-status. */
export interface SkillsLocationInput {
  /**
   * `--engine`: whose skills root, codex's (default) or Claude's (`$CLAUDE_CONFIG_DIR/skills`, else
   * `~/.claude/skills`); the shipped skills serve both.
   */
  engine?: EngineName | undefined;
  /** `--codex-home`; default `$CODEX_HOME`, else `~/.codex`. */
  codexHome?: string | undefined;
  /** `--claude-home` (implies the claude engine); default `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
  claudeHome?: string | undefined;
  /** `--skills-root`; default `<codex home>/skills`. */
  skillsRoot?: string | undefined;
  /** `--local-skills-root`; default the shipped `skills/` directory. */
  localSkillsRoot?: string | undefined;
  /** The user's home directory; default env `HOME`. */
  homeDir?: string | undefined;
}

/** Flags of install-skills. */
export interface InstallSkillsInput extends SkillsLocationInput {
  names?: string[];
  force?: boolean;
  installCuratedCi?: boolean;
}

/** The engine whose skills root is meant: `--claude-home` means Claude's; `--codex-home` with `--engine claude` is a mistake. */
function engineOf(input: SkillsLocationInput): EngineName {
  const engine = input.engine ?? (input.claudeHome !== undefined ? 'claude' : 'codex');
  if (engine === 'claude' && input.codexHome !== undefined) throw new AgentprError('usage', '--codex-home names codex\'s home; for Claude use --claude-home (or drop --engine claude)');
  if (engine === 'codex' && input.claudeHome !== undefined) throw new AgentprError('usage', '--claude-home needs --engine claude (or no --engine)');
  return engine;
}

function locations(ctx: SkillsContext, input: SkillsLocationInput) {
  const homeDir = input.homeDir ?? (ctx.env.HOME?.trim() || '/');
  // The workspace package calls any engine's home `codexHome`: Claude's is passed there, resolved the way its engine does.
  const home = engineOf(input) === 'claude' ? (input.claudeHome?.trim() || getAgentEngine('claude').operatorHome({ ...ctx.env, HOME: homeDir })) : input.codexHome;
  return {
    codexHome: home,
    skillsRoot: input.skillsRoot,
    localSkillsRoot: input.localSkillsRoot?.trim() || ctx.paths.skillsDir,
    env: ctx.env,
    homeDir,
  };
}

/**
 * What install-skills did: `complete` when every required stage skill is installed afterwards, `incomplete`
 * when some are still missing (the report names them). Either way the install itself ran.
 */
export type InstallSkillsResult = { kind: 'complete' | 'incomplete'; report: InstallSkillsReport };

/**
 * install-skills: copies the shipped stage skills into the engine's skills root (codex's, or Claude's with
 * `engine: 'claude'`). Idempotent, never
 * deletes the user's other skills; `force` replaces the selected ones. A failed curated install is reported in
 * the result, not thrown.
 *
 * @example
 * const { kind, report } = await installSkills(ctx, { force: true });
 */
export async function installSkills(ctx: SkillsContext, input: InstallSkillsInput = {}): Promise<InstallSkillsResult> {
  if (input.installCuratedCi && engineOf(input) !== 'codex') {
    throw new AgentprError('usage', '--install-curated-ci runs codex\'s skill installer, so it installs for codex only; install them for codex, then copy them into the Claude skills root');
  }
  const report = await installSkillDirs({
    ...locations(ctx, input),
    ...(input.names ? { names: input.names } : {}),
    force: input.force ?? false,
    installCuratedCi: input.installCuratedCi ?? false,
  });
  return { kind: report.missing_required_after_install.length === 0 ? 'complete' : 'incomplete', report };
}

/**
 * skills-status: installed, missing and outdated stage skills (content hash of the shipped copy
 * against the installed one). Reads only.
 */
export async function skillsStatus(ctx: SkillsContext, input: SkillsLocationInput = {}): Promise<SkillsStatusReport> {
  return readSkillsStatus(locations(ctx, input));
}
