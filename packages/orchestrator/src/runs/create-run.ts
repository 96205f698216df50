import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { createRun as insertRun, createRuns, type NewRun } from '@agentpr/store';
import { isInsideRoot } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { campaignFor } from '../workspace/workspace-shared.js';
import { CampaignNameSchema, resolveCampaigns } from './campaigns.js';

/** Run ids are used in file names. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Characters GitHub allows in owner and repository names. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** GitHub's length limits: a login has at most 39 characters, a repository name at most 100. */
export const NAME_MAX_LENGTH = { owner: 39, repo: 100 } as const;

/**
 * An owner or repository name as GitHub accepts it (issue 13): not empty, only `[A-Za-z0-9._-]` (so no `/`),
 * within GitHub's length limit, and not made only of dots — `.` and `..` would make `workspace_dir` resolve
 * outside the workspace root, and GitHub refuses such names too.
 */
function githubName(max: number) {
  return v.pipe(
    v.string('must be a string'),
    v.nonEmpty('is required'),
    v.maxLength(max, `must be at most ${max} characters (GitHub's limit)`),
    v.regex(NAME_PATTERN, 'must contain only letters, digits, _ . - (no / or spaces)'),
    v.check((name) => !/^\.+$/.test(name), 'must not be made only of dots (GitHub refuses . and ..)'),
  );
}

/** The input of create-run, as the CLI, the bot or an import file give it. */
export const CreateRunInputSchema = v.object(
  {
    run_id: v.optional(v.pipe(v.string('must be a string'), v.regex(RUN_ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ (letters, digits, . _ -)'))),
    owner: githubName(NAME_MAX_LENGTH.owner),
    repo: githubName(NAME_MAX_LENGTH.repo),
    prompt_version: v.pipe(v.string('must be a string'), v.trim(), v.nonEmpty('is required')),
    mode: v.optional(v.picklist(['push_only'], 'must be push_only (the only mode)'), 'push_only'),
    budget: v.optional(v.record(v.string(), v.unknown(), 'must be a JSON object'), {}),
    /**
     * The campaign the run belongs to (the rule of the policy's campaign keys); default: the name of the campaign
     * folder in use (`--campaign-dir`). It must be known (see `knownCampaigns`).
     */
    campaign: v.optional(CampaignNameSchema),
  },
  'must be a JSON object with owner, repo and prompt_version',
);

/** Validated create-run input. */
export type CreateRunInput = v.InferInput<typeof CreateRunInputSchema>;

/** Formats valibot issues as `path.to.field: message; …`. */
export function formatIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): string {
  return issues
    .map((issue) => {
      const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
      return `${prefix}${path || '(input)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses `--budget-json`: it must be a JSON object. */
export function parseBudgetJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AgentprError('invalid_json', `invalid JSON: --budget-json: ${(cause as Error).message}`, { cause });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentprError('invalid_input', `--budget-json must be a JSON object such as {"max_usd": 5}; got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** A fresh run id: `run_` + 12 hex characters. */
export function generateRunId(): string {
  return `run_${randomBytes(6).toString('hex')}`;
}

/** A validated run, and the campaign its input named (undefined: the campaign in use). */
interface ParsedRun {
  run: NewRun;
  named: string | undefined;
}

function toNewRun(ctx: AppContext, raw: unknown, campaign: string, where = ''): ParsedRun {
  const parsed = v.safeParse(CreateRunInputSchema, raw);
  if (!parsed.success) throw new AgentprError('invalid_input', `invalid run${where}: ${formatIssues(parsed.issues)}`);
  const input = parsed.output;
  const runId = input.run_id ?? generateRunId();
  const workspaceDir = resolve(ctx.paths.workspaceRoot, input.owner, input.repo, runId);
  // The names are validated above; this is the invariant they guarantee, kept as a second line of defence.
  if (!isInsideRoot(ctx.paths.workspaceRoot, workspaceDir)) throw new AgentprError('invalid_input', `invalid run${where}: its workspace would lie outside the workspace root`);
  const run = {
    runId,
    owner: input.owner,
    repo: input.repo,
    promptVersion: input.prompt_version,
    mode: input.mode,
    budget: input.budget,
    workspaceDir,
    campaign: input.campaign ?? campaign,
  };
  return { run, named: input.campaign };
}

/** The name of the campaign in use (`--campaign-dir`), recorded with each new run so list-runs can filter by it. */
async function campaignName(ctx: AppContext): Promise<string> {
  return (await campaignFor(ctx)).name;
}

/** A run created in `QUEUED`, the workspace directory it will use, and the campaign it belongs to. */
export type CreateRunResult = { kind: 'created'; run_id: string; workspace_dir: string; campaign: string };

/** Runs created together by {@link importRuns}, in input order. */
export type ImportRunsResult = { kind: 'created'; run_ids: string[] };

/**
 * The runs with the campaigns they name made known: each named campaign must be known (see `knownCampaigns`) and is
 * recorded in its known spelling; an unknown one throws `invalid_input` (prefixed by `where` of the first entry that
 * names it) before anything is written.
 */
async function withKnownCampaigns(ctx: AppContext, parsed: readonly ParsedRun[], where: (i: number) => string): Promise<NewRun[]> {
  const named = parsed.map((p) => p.named);
  const resolved = await resolveCampaigns(
    ctx,
    named.filter((n): n is string => n !== undefined),
    (name) => where(named.indexOf(name)),
  );
  return parsed.map((p) => (p.named === undefined ? p.run : { ...p.run, campaign: resolved.get(p.named) ?? p.run.campaign }));
}

/**
 * create-run: validates the input and inserts the run in `QUEUED` with its creation event, in one transaction.
 * Invalid input or an unknown campaign throws `invalid_input`; a run id already used throws the store's `run_exists`.
 *
 * @example
 * await createRun(ctx, { owner: 'mem0ai', repo: 'mem0', prompt_version: 'v1' }) // → { kind: 'created', run_id: 'run_…', … }
 */
export async function createRun(ctx: AppContext, input: CreateRunInput): Promise<CreateRunResult> {
  const [run] = await withKnownCampaigns(ctx, [toNewRun(ctx, input, await campaignName(ctx))], () => 'invalid run: ');
  await insertRun(ctx.db, run!, ctx.clock);
  return { kind: 'created', run_id: run!.runId, workspace_dir: run!.workspaceDir, campaign: run!.campaign ?? '' };
}

/**
 * Creates many runs in one transaction (all or nothing); every entry is validated (its campaign known) before
 * anything is written. `where[i]` names entry `i` in errors (`runs.jsonl line 3`, see `parseRunsFile`); the default
 * is `#i+1`.
 */
export async function importRuns(ctx: AppContext, inputs: unknown[], where: readonly string[] = []): Promise<ImportRunsResult> {
  const label = (i: number) => where[i] ?? `#${i + 1}`;
  const campaign = await campaignName(ctx);
  const parsed = inputs.map((raw, i) => toNewRun(ctx, raw, campaign, ` at ${label(i)}`));
  const seen = new Map<string, number>();
  parsed.forEach(({ run: r }, i) => {
    const earlier = seen.get(r.runId);
    if (earlier !== undefined) throw new AgentprError('invalid_input', `invalid run at ${label(i)}: run_id ${r.runId} is already used at ${label(earlier)}`);
    seen.set(r.runId, i);
  });
  const runs = await withKnownCampaigns(ctx, parsed, (i) => `invalid run at ${label(i)}: `);
  await createRuns(ctx.db, runs, ctx.clock);
  return { kind: 'created', run_ids: runs.map((r) => r.runId) };
}
