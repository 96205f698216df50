import { installSkills as installSkillDirs, skillsStatus as readSkillsStatus, type InstallSkillsReport, type SkillsStatusReport } from '@agentpr/workspace';
import type { AppContext } from '../context.js';

/** What the skills commands need from the app context: no database. */
export type SkillsContext = Pick<AppContext, 'paths' | 'env'>;

/** Flags shared by install-skills and skills-status. */
export interface SkillsLocationInput {
  /** `--codex-home`; default `$CODEX_HOME`, else `~/.codex`. */
  codexHome?: string | undefined;
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

function locations(ctx: SkillsContext, input: SkillsLocationInput) {
  return {
    codexHome: input.codexHome,
    skillsRoot: input.skillsRoot,
    localSkillsRoot: input.localSkillsRoot?.trim() || ctx.paths.skillsDir,
    env: ctx.env,
    homeDir: input.homeDir ?? (ctx.env.HOME?.trim() || '/'),
  };
}

/**
 * What install-skills did: `complete` when every required stage skill is installed afterwards, `incomplete`
 * when some are still missing (the report names them). Either way the install itself ran.
 */
export type InstallSkillsResult = { kind: 'complete' | 'incomplete'; report: InstallSkillsReport };

/**
 * install-skills: copies the shipped stage skills into the codex skills root. Idempotent, never
 * deletes the user's other skills; `force` replaces the selected ones. A failed curated install is reported in
 * the result, not thrown.
 *
 * @example
 * const { kind, report } = await installSkills(ctx, { force: true });
 */
export async function installSkills(ctx: SkillsContext, input: InstallSkillsInput = {}): Promise<InstallSkillsResult> {
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
