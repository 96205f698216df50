import { createHash, randomBytes } from 'node:crypto';
import { cp, lstat, readdir, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { makeDirectory } from './directories.js';
import { WorkspaceError } from './errors.js';
import { redactSecrets } from './redact.js';

/** The stage skills agentpr needs, in stage order. */
export const REQUIRED_SKILLS: readonly string[] = ['agentpr-repo-preflight-contract', 'agentpr-implement-and-validate', 'agentpr-ci-review-fix'];

/** Helper skills the CI/review stage uses when installed. */
export const OPTIONAL_CI_SKILLS: readonly string[] = ['gh-fix-ci', 'gh-address-comments'];

/** Where the curated CI skills live in `openai/skills`. */
export const CURATED_CI_SKILLS: ReadonlyArray<{ name: string; path: string }> = [
  { name: 'gh-fix-ci', path: 'skills/.curated/gh-fix-ci' },
  { name: 'gh-address-comments', path: 'skills/.curated/gh-address-comments' },
];

/** Where skills come from and go to. */
export interface SkillLocations {
  codex_home: string;
  skills_root: string;
  local_skills_root: string;
}

/** Flags and environment that decide {@link SkillLocations}. */
export interface SkillLocationInput {
  codexHome?: string | undefined;
  skillsRoot?: string | undefined;
  /** The shipped `skills/` directory unless overridden. */
  localSkillsRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (for `~` and the default `~/.codex`). */
  homeDir: string;
}

function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return join(homeDir, path.slice(2));
  return path;
}

/**
 * Resolves the codex home (`--codex-home`, else `$CODEX_HOME`, else `~/.codex`), the skills root
 * (`--skills-root`, else `<home>/skills`) and the local source root. `~` is expanded; all paths are absolute.
 */
export function resolveSkillLocations(input: SkillLocationInput): SkillLocations {
  const fromEnv = (input.env.CODEX_HOME ?? '').trim();
  const home = resolve(expandHome(input.codexHome?.trim() || fromEnv || join(input.homeDir, '.codex'), input.homeDir));
  const skillsRoot = resolve(expandHome(input.skillsRoot?.trim() || join(home, 'skills'), input.homeDir));
  return { codex_home: home, skills_root: skillsRoot, local_skills_root: resolve(expandHome(input.localSkillsRoot, input.homeDir)) };
}

/** Sorted names of the non-hidden subdirectories of `root` that contain `SKILL.md`; empty when `root` is missing. */
export async function listSkillNames(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const dir = join(root, entry.name);
    try {
      if (!(await stat(dir)).isDirectory()) continue;
      if ((await stat(join(dir, 'SKILL.md'))).isFile()) names.push(entry.name);
    } catch {
      // not a skill
    }
  }
  return names.sort();
}

/**
 * A SHA-256 over a skill directory's files (relative paths and contents, sorted), to tell whether an
 * installed copy differs from the shipped one. Symlinks hash their target path; other special files are skipped.
 */
export async function hashSkillDir(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (current: string): Promise<void> => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(current, entry.name);
      const rel = relative(dir, path).split('\\').join('/');
      if (entry.isDirectory()) {
        hash.update(`d\0${rel}\0`);
        await walk(path);
      } else if (entry.isFile()) {
        const content = await readFile(path);
        hash.update(`f\0${rel}\0${content.length}\0`);
        hash.update(content);
      } else if (entry.isSymbolicLink()) {
        hash.update(`l\0${rel}\0${await readlink(path)}\0`);
      }
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

/** One local install result; `outdated` marks an existing copy that differs from the source. */
export interface SkillInstallResult {
  name: string;
  status: 'installed' | 'already_exists' | 'missing_source';
  source: string | null;
  dest: string;
  outdated?: boolean;
}

/** One curated install result. */
export interface CuratedInstallItem {
  name: string;
  status: 'installed' | 'already_exists' | 'failed';
  dest: string;
  command: string[] | null;
  exit_code?: number | null;
  stdout?: string;
  stderr?: string;
}

/** The curated CI install outcome: the items, or why it could not run. */
export type CuratedInstallResult = { ok: boolean; results: CuratedInstallItem[] } | { ok: false; error: string };

/** The install-skills output. */
export interface InstallSkillsReport extends SkillLocations {
  ok: true;
  results: SkillInstallResult[];
  curated_ci_install: CuratedInstallResult | null;
  missing_required_after_install: string[];
  missing_optional_ci_after_install: string[];
  note: string;
}

/** Input of {@link installSkills}. */
export interface InstallSkillsOptions extends SkillLocationInput {
  /** Only these skills (trimmed, non-empty); default every local skill. */
  names?: readonly string[];
  /** Replace existing copies. */
  force?: boolean;
  installCuratedCi?: boolean;
  /** The interpreter that runs the curated installer; default `python3`. */
  python?: string;
  /** Timeout of each curated install; default 120 000 ms. */
  curatedTimeoutMs?: number;
}

/**
 * Copies the shipped stage skills into the codex skills root. Idempotent: an existing skill is left
 * alone (`already_exists`) unless `force`; only the selected skill directories are ever replaced, so the
 * user's other skills are never deleted. Each copy is written to a temporary directory and renamed into
 * place, so a failed copy leaves no half-installed skill.
 *
 * @example
 * const report = await installSkills({ localSkillsRoot: '/opt/agentpr/skills', env: process.env, homeDir: '/home/me' });
 */
export async function installSkills(options: InstallSkillsOptions): Promise<InstallSkillsReport> {
  const locations = resolveSkillLocations(options);
  const sources = await listSkillNames(locations.local_skills_root);
  const selected = options.names?.map((n) => n.trim()).filter((n) => n.length > 0);
  const names = selected && selected.length > 0 ? [...new Set(selected)] : sources;
  try {
    makeDirectory(locations.skills_root);
  } catch (error) {
    throw new WorkspaceError('not_writable', `cannot create the skills directory ${locations.skills_root}: ${(error as Error).message}. Pass --skills-root or --codex-home (or set CODEX_HOME) to a writable directory.`, { cause: error });
  }
  const results: SkillInstallResult[] = [];
  for (const name of names) {
    const dest = join(locations.skills_root, name);
    if (!sources.includes(name) || !isPlainName(name)) {
      results.push({ name, status: 'missing_source', source: null, dest });
      continue;
    }
    const source = join(locations.local_skills_root, name);
    const destExists = await lstat(dest).then(() => true, () => false);
    if (destExists && !options.force) {
      const outdated = await skillDiffers(source, dest);
      results.push({ name, status: 'already_exists', source, dest, ...(outdated ? { outdated: true } : {}) });
      continue;
    }
    const staging = join(locations.skills_root, `.agentpr-install-${name}-${randomBytes(4).toString('hex')}`);
    try {
      await cp(source, staging, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
      if (destExists) await rm(dest, { recursive: true, force: true });
      await rename(staging, dest);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    results.push({ name, status: 'installed', source, dest });
  }
  const curated = options.installCuratedCi ? await installCuratedCi(locations, options) : null;
  const installed = await listSkillNames(locations.skills_root);
  return {
    ok: true,
    ...locations,
    results,
    curated_ci_install: curated,
    missing_required_after_install: REQUIRED_SKILLS.filter((s) => !installed.includes(s)),
    missing_optional_ci_after_install: OPTIONAL_CI_SKILLS.filter((s) => !installed.includes(s)),
    note: 'Restart running codex sessions if they cache skill discovery, so they see the installed skills.',
  };
}

function isPlainName(name: string): boolean {
  return !name.includes('/') && !name.includes('\\') && name !== '.' && name !== '..' && !isAbsolute(name);
}

async function skillDiffers(source: string, dest: string): Promise<boolean> {
  try {
    return (await hashSkillDir(source)) !== (await hashSkillDir(dest));
  } catch {
    return true;
  }
}

function tail(text: string, lines = 20): string {
  const trimmed = text.trim();
  return trimmed === '' ? '' : trimmed.split('\n').slice(-lines).join('\n');
}

async function installCuratedCi(locations: SkillLocations, options: InstallSkillsOptions): Promise<CuratedInstallResult> {
  // The installer lives under the resolved codex home, not a fixed ~/.codex.
  const installer = join(locations.codex_home, 'skills', '.system', 'skill-installer', 'scripts', 'install-skill-from-github.py');
  const found = await stat(installer).then((s) => s.isFile(), () => false);
  if (!found) return { ok: false, error: `installer script not found: ${installer}` };
  const python = options.python ?? 'python3';
  const results: CuratedInstallItem[] = [];
  for (const skill of CURATED_CI_SKILLS) {
    const dest = join(locations.skills_root, skill.name);
    if (await lstat(dest).then(() => true, () => false)) {
      results.push({ name: skill.name, status: 'already_exists', dest, command: null });
      continue;
    }
    const command = [python, installer, '--repo', 'openai/skills', '--path', skill.path, '--dest', locations.skills_root];
    const run = await execa(command[0]!, command.slice(1), {
      env: { ...options.env },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      cwd: locations.codex_home,
      timeout: options.curatedTimeoutMs ?? 120_000,
    });
    const stderr = redactSecrets(String(run.stderr ?? (run.exitCode === undefined ? run.message : '')));
    const stdout = redactSecrets(String(run.stdout ?? ''));
    let status: CuratedInstallItem['status'] = 'failed';
    if (run.exitCode === 0) status = 'installed';
    else if (/already exists/i.test(stderr) && (await lstat(dest).then(() => true, () => false))) status = 'already_exists';
    results.push({ name: skill.name, status, dest, command, exit_code: run.exitCode ?? null, stdout: tail(stdout), stderr: tail(stderr) });
  }
  return { ok: results.every((r) => r.status !== 'failed'), results };
}

/** The skills-status output plus `outdated_required`: required skills whose installed copy differs from the shipped one. */
export interface SkillsStatusReport extends SkillLocations {
  ok: true;
  local_skill_names: string[];
  installed_skill_count: number;
  installed_required: string[];
  missing_required: string[];
  installed_optional_ci: string[];
  missing_optional_ci: string[];
  outdated_required: string[];
}

/**
 * Which stage skills are installed, missing or outdated (content hash of the shipped directory against the
 * installed one). Reads only.
 */
export async function skillsStatus(input: SkillLocationInput): Promise<SkillsStatusReport> {
  const locations = resolveSkillLocations(input);
  const local = await listSkillNames(locations.local_skills_root);
  const installed = await listSkillNames(locations.skills_root);
  const outdated: string[] = [];
  for (const name of REQUIRED_SKILLS) {
    if (installed.includes(name) && local.includes(name) && (await skillDiffers(join(locations.local_skills_root, name), join(locations.skills_root, name)))) {
      outdated.push(name);
    }
  }
  return {
    ok: true,
    ...locations,
    local_skill_names: local,
    installed_skill_count: installed.length,
    installed_required: REQUIRED_SKILLS.filter((s) => installed.includes(s)),
    missing_required: REQUIRED_SKILLS.filter((s) => !installed.includes(s)),
    installed_optional_ci: OPTIONAL_CI_SKILLS.filter((s) => installed.includes(s)),
    missing_optional_ci: OPTIONAL_CI_SKILLS.filter((s) => !installed.includes(s)),
    outdated_required: outdated,
  };
}
