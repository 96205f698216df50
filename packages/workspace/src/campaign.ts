import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { WorkspaceError } from './errors.js';

/** The commit body used when a campaign does not set one: the CHANGES text and the project, nothing else. */
export const DEFAULT_COMMIT_BODY_TEMPLATE = '{changes}\n\nProject: {project}\n';

/** The branch prefix used when a campaign does not set one. */
export const DEFAULT_BRANCH_PREFIX = 'agentpr/';

const BRANCH_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

const CampaignSchema = v.strictObject({
  $schema: v.optional(v.string()),
  name: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('must not be blank'))),
  description: v.optional(v.string()),
  branch_prefix: v.optional(
    v.pipe(
      v.string(),
      v.regex(BRANCH_PREFIX, 'must start with a letter or digit and use only letters, digits, ".", "_", "-" and "/"'),
      v.check((s) => !s.includes('..') && !s.includes('//'), 'must not contain ".." or "//"'),
    ),
  ),
  commit_body_template: v.optional(v.string()),
  default_commit_title: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('must not be blank'))),
  allow_workflow_changes: v.optional(v.boolean()),
});

/** A campaign folder (`--campaign-dir`): templates and settings shared by every run of a campaign. */
export interface Campaign {
  dir: string;
  name: string;
  /** Feature branches are `<branch_prefix><YYYYmmdd-HHMMSS>-<run_id>`. */
  branch_prefix: string;
  /** The commit body template; placeholders `{changes}`, `{project}`, `{title}`, `{branch}`, `{run_id}`, `{owner}`, `{repo}`. */
  commit_body_template: string;
  /** The commit title when run-finish gets none; undefined means `--commit-title` is required. */
  default_commit_title: string | undefined;
  /**
   * True lets a run change `.github/workflows/**`; default false, so an attempt that touches a CI workflow is
   * held for human review (`protected_file_changed`) and nothing is committed.
   */
  allow_workflow_changes: boolean;
  /** `<dir>/prompt_template.md`, `<dir>/pr_description_template.md`, `<dir>/workflow.md` (may not exist). */
  files: { prompt_template: string; pr_description_template: string; workflow: string };
  /** True when `campaign.json` was found and read. */
  loaded: boolean;
}

/**
 * Reads `<dir>/campaign.json` (optional: missing means defaults) and validates it. Invalid JSON and invalid
 * values fail with `campaign_invalid`, naming the file and the field (`branch_prefix: must …`).
 *
 * @example
 * const campaign = await loadCampaign('/opt/agentpr/campaigns/example');
 */
export async function loadCampaign(dir: string): Promise<Campaign> {
  const file = join(dir, 'campaign.json');
  const files = {
    prompt_template: join(dir, 'prompt_template.md'),
    pr_description_template: join(dir, 'pr_description_template.md'),
    workflow: join(dir, 'workflow.md'),
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { dir, name: 'default', branch_prefix: DEFAULT_BRANCH_PREFIX, commit_body_template: DEFAULT_COMMIT_BODY_TEMPLATE, default_commit_title: undefined, allow_workflow_changes: false, files, loaded: false };
    }
    throw new WorkspaceError('campaign_invalid', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WorkspaceError('campaign_invalid', `invalid JSON: ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = v.safeParse(CampaignSchema, raw);
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`).join('; ');
    throw new WorkspaceError('campaign_invalid', `${file} is invalid: ${issues}`);
  }
  const c = parsed.output;
  return {
    dir,
    name: c.name ?? 'default',
    branch_prefix: c.branch_prefix ?? DEFAULT_BRANCH_PREFIX,
    commit_body_template: c.commit_body_template ?? DEFAULT_COMMIT_BODY_TEMPLATE,
    default_commit_title: c.default_commit_title,
    allow_workflow_changes: c.allow_workflow_changes ?? false,
    files,
    loaded: true,
  };
}

/** The default feature branch of a run: `<prefix><YYYYmmdd-HHMMSS>-<run_id>` in UTC. */
export function defaultFeatureBranch(prefix: string, runId: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${prefix}${stamp}-${runId}`;
}
