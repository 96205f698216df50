import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { evidenceExit } from '@agentpr/runtime-analysis';
import { listArtifacts, type RunRow } from '@agentpr/store';
import { readAgentFile, type Campaign } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { budgetBaseline, campaignFor } from '../workspace/workspace-shared.js';
import { gitLine } from './git-reads.js';
import { DEFAULT_PR_BODY_TEMPLATE, parsePrTemplate, type PrTemplate, type PrTextSources } from './pr-text.js';
import type { FileStat, ValidationCommand, ValidationFacts } from './pr-text-sections.js';
import { readRepoPrTemplate, type RepoPrTemplate } from './read-repo-pr-template.js';

/** The most bytes of a run digest read. */
const MAX_DIGEST_BYTES = 8 * 1024 * 1024;
/** The most bytes of the agent's final message read. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** The campaign of the PR text: its settings and its PR template (the built-in one when it has none). */
export interface PrCampaign {
  campaign: Campaign;
  template: PrTemplate;
  /** The template file read, or null for {@link DEFAULT_PR_BODY_TEMPLATE}. */
  templateFile: string | null;
}

/** Loads the campaign (`--campaign-dir`) and its `pr_description_template.md`; an invalid campaign is a config error. */
export async function loadPrCampaign(ctx: Pick<AppContext, 'paths'>): Promise<PrCampaign> {
  const campaign = await campaignFor(ctx);
  const file = campaign.files.pr_description_template;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return { campaign, template: { title: null, body: DEFAULT_PR_BODY_TEMPLATE }, templateFile: null };
  return { campaign, template: parsePrTemplate(text), templateFile: file };
}

/** The titles every run of the campaign shares (default commit title, title template), for the generic-title check. */
export async function campaignTitles(ctx: Pick<AppContext, 'paths'>): Promise<Array<string | null | undefined>> {
  // Only a check's input: a campaign that cannot be read adds nothing; the stock rules still apply.
  const loaded = await loadPrCampaign(ctx).catch(() => null);
  return loaded ? [loaded.campaign.default_commit_title, loaded.template.title] : [];
}

const Str = v.optional(v.string());
const Strings = v.optional(v.array(v.string()));
const DigestSchema = v.looseObject({
  classification: v.optional(v.looseObject({ grade: Str, reason_code: Str, evidence: v.optional(v.array(v.unknown())) })),
  attempt: v.optional(v.looseObject({ attempt_no: v.optional(v.number()) })),
  validation: v.optional(v.looseObject({ test_commands: Strings, failed_test_commands: Strings, waived_test_failures: Strings })),
  artifacts: v.optional(v.looseObject({ last_message_path: Str })),
});
type Digest = v.InferOutput<typeof DigestSchema>;

/** The validation facts of a PASS digest: its test evidence, failures, waivers and verdict. */
export function validationFacts(digest: Digest): ValidationFacts {
  const evidence = digest.classification?.evidence ?? [];
  const passed: ValidationCommand[] = (digest.validation?.test_commands ?? []).map((command) => ({ command, exit: evidenceExit(evidence, command) }));
  return {
    grade: digest.classification?.grade ?? 'PASS',
    reasonCode: digest.classification?.reason_code ?? 'unknown',
    attemptNo: digest.attempt?.attempt_no ?? null,
    passed,
    failed: digest.validation?.failed_test_commands ?? [],
    waived: digest.validation?.waived_test_failures ?? [],
  };
}

/** A run digest file, parsed; null when it cannot be read, lies outside the reports directory, or is not a digest. */
async function readDigest(uri: string, reportsDir: string): Promise<Digest | null> {
  const read = await readAgentFile(uri, { maxBytes: MAX_DIGEST_BYTES, within: reportsDir });
  if (!read.ok || read.truncated) return null;
  try {
    const parsed = v.safeParse(DigestSchema, JSON.parse(read.data.toString('utf8')));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}

/**
 * The digest of the run's latest PASS attempt: the newest `run_digest` graded PASS (by its artefact's `grade`, or by
 * the file's own classification when the artefact records none), or null.
 */
async function latestPassDigest(ctx: AppContext, runId: string): Promise<Digest | null> {
  for (const artifact of await listArtifacts(ctx.db, runId, { type: 'run_digest', limit: 50 })) {
    const grade = artifact.metadata.grade;
    if (typeof grade === 'string' && grade !== 'PASS') continue;
    const digest = await readDigest(artifact.uri, ctx.paths.reportsDir);
    // The newest PASS or nothing: an older attempt's evidence would describe another tree.
    if (grade === 'PASS' || digest?.classification?.grade === 'PASS') return digest?.classification?.grade === 'PASS' ? digest : null;
  }
  return null;
}

/** agentpr's copy of the agent's final message, read only from the reports directory. */
async function agentMessage(ctx: AppContext, path: string | undefined): Promise<string | null> {
  if (!path) return null;
  const read = await readAgentFile(path, { maxBytes: MAX_MESSAGE_BYTES, within: ctx.paths.reportsDir });
  return read.ok ? read.data.toString('utf8') : null;
}

/** `git diff --numstat` records (`added\tdeleted\tpath`, `-` for binary) as file stats. */
export function parseNumstat(output: string): FileStat[] {
  const files: FileStat[] = [];
  for (const record of output.split('\0')) {
    const match = /^(-|\d+)\t(-|\d+)\t([\s\S]+)$/.exec(record.replace(/^\n/, ''));
    if (!match) continue;
    files.push({ path: match[3]!, added: match[1] === '-' ? null : Number(match[1]), deleted: match[2] === '-' ? null : Number(match[2]) });
  }
  return files;
}

/** The pushed diff from the run's base commit to `headSha`, file by file; null when git cannot tell. */
async function pushedFiles(ctx: AppContext, run: RunRow, headSha: string): Promise<FileStat[] | null> {
  const base = await budgetBaseline(ctx.db, run.run_id);
  if (!base) return null;
  const out = await gitLine(ctx.git, run.workspace_dir, ['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', base, headSha, '--']);
  return out === null ? null : parseNumstat(out);
}

/** The pushed branch the PR text describes. */
export interface PushedHead {
  base: string;
  head: string;
  headSha: string;
}

/**
 * Gathers what the run contributes to its PR text: the latest PASS attempt's digest (test evidence and verdict) and
 * the agent's final message, the pushed diff with line counts, the head commit's subject and the repository's own
 * PR template (read as hostile input). Missing pieces are null; rendering says so instead of inventing them.
 */
export async function gatherPrTextSources(
  ctx: AppContext,
  run: RunRow,
  pushed: PushedHead,
  campaign: Campaign,
): Promise<{ sources: PrTextSources; repoTemplate: RepoPrTemplate }> {
  const [digest, files, commitTitle, repoTemplate] = await Promise.all([
    latestPassDigest(ctx, run.run_id),
    pushedFiles(ctx, run, pushed.headSha),
    gitLine(ctx.git, run.workspace_dir, ['show', '-s', '--format=%s', pushed.headSha]),
    readRepoPrTemplate(run.workspace_dir),
  ]);
  const sources: PrTextSources = {
    owner: run.owner,
    repo: run.repo,
    runId: run.run_id,
    base: pushed.base,
    branch: pushed.head,
    integration: campaign.loaded ? campaign.name : null,
    campaignDefaultTitle: campaign.default_commit_title ?? null,
    commitTitle,
    agentMessage: digest ? await agentMessage(ctx, digest.artifacts?.last_message_path) : null,
    files,
    validation: digest ? validationFacts(digest) : null,
    repoTemplate: repoTemplate.kind === 'found' ? { path: repoTemplate.path, text: repoTemplate.text } : null,
  };
  return { sources, repoTemplate };
}
