import { readFileSync } from 'node:fs';
import { DEFAULT_MANAGER_POLICY, effectivePolicy, loadPolicy } from '@agentpr/policy';
import { checkDigestPayload, evaluateDodGate, type DigestLoadError, type DodCheck, type DodGateResult, type DodPolicy } from '@agentpr/runtime-analysis';
import { latestArtifact } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { treeOf } from './git-reads.js';
import { checkPrText } from './pr-text-check.js';
import { campaignTitles } from './pr-text-sources.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { requireLocalRun } from '../workspace/local-run.js';

function loadDigest(uri: string | undefined): { digest: Record<string, unknown> | null; error: DigestLoadError | null } {
  if (uri === undefined) return { digest: null, error: 'missing_run_digest_artifact' };
  if (!uri.trim()) return { digest: null, error: 'empty_run_digest_uri' };
  let raw: string;
  try {
    raw = readFileSync(uri, 'utf8');
  } catch (error) {
    return { digest: null, error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run_digest_file_not_found' : 'run_digest_unreadable' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { digest: null, error: 'run_digest_invalid_payload' };
  }
  const checked = checkDigestPayload(parsed);
  return checked.ok ? { digest: checked.digest, error: null } : { digest: null, error: checked.error };
}

/** What the DoD gate read from the digest (grade, counts, skills mode). */
export type DodSnapshot = NonNullable<DodGateResult['snapshot']>;

/** The DoD gate's judgement of a run: `passed`, or `failed` with the checks that failed; `snapshot` is null without a digest. */
export type DodGateVerdict = { kind: 'passed'; snapshot: DodSnapshot | null } | { kind: 'failed'; failed_checks: DodCheck[]; snapshot: DodSnapshot | null };

/** The verdict as the document `{ ok, failed_checks, snapshot? }` that reports and error details show. */
export function dodGateDocument(verdict: DodGateVerdict): DodGateResult {
  const failed = verdict.kind === 'failed' ? verdict.failed_checks : [];
  return { ok: verdict.kind === 'passed', failed_checks: failed, ...(verdict.snapshot ? { snapshot: verdict.snapshot } : {}) };
}

/** Options of {@link dodGateForRun}. */
export interface DodGateOptions {
  /** Thresholds for digests that predate `policy_used`; default the run's effective policy from the policy file. */
  policy?: DodPolicy | undefined;
  /**
   * The PR text about to be opened. When given, the gate also checks it (checkPrText): `pr_title_generic` for a
   * generic title, `pr_body_placeholders` for a body that still shows `{placeholders}`.
   */
  prText?: { title: string; body: string } | undefined;
}

/**
 * The Definition-of-Done gate for one run before its PR is opened: gathers what the pure
 * `evaluateDodGate` of `@agentpr/runtime-analysis` judges — the latest run digest, whether a contract exists,
 * the effective policy of the run's repository (the fallback for digests without `policy_used`) and the tree of
 * the pushed head (for `digest_stale`) — and, with `prText`, checks the PR's title and body.
 *
 * @example
 * const gate = await dodGateForRun(ctx, 'run_1');
 * if (gate.kind === 'failed') console.log(gate.failed_checks);
 */
export async function dodGateForRun(ctx: AppContext, runId: string, options: DodGateOptions = {}): Promise<DodGateVerdict> {
  const { run } = await requireLocalRun(ctx, runId);
  // The pushed tree is read by git in the workspace on this host.
  await assertWorkspaceInsideRoot(ctx, run);
  const digestArtifact = await latestArtifact(ctx.db, runId, 'run_digest');
  const { digest, error } = loadDigest(digestArtifact?.uri);
  let policy = options.policy;
  if (!policy) {
    const loaded = await loadPolicy(ctx.paths.policyFile);
    if (!loaded.ok) throw new AgentprError('config', loaded.error.message);
    const eff = effectivePolicy(loaded.ok ? loaded.policy : DEFAULT_MANAGER_POLICY, run.owner, run.repo);
    const { max_changed_files, max_added_lines, min_test_commands, skills_mode } = eff;
    policy = { max_changed_files, max_added_lines, min_test_commands, skills_mode };
  }
  const branch = await latestArtifact(ctx.db, runId, 'branch');
  const pushedSha = typeof branch?.metadata.sha === 'string' && branch.metadata.sha ? branch.metadata.sha : null;
  const pushedTreeSha = pushedSha ? ((await treeOf(ctx.git, run.workspace_dir, pushedSha)) ?? `(unknown tree of ${pushedSha})`) : null;
  const gate = evaluateDodGate({
    digest,
    digestLoadError: error,
    hasContract: (await latestArtifact(ctx.db, runId, 'contract')) !== undefined,
    effectivePolicy: policy,
    pushedTreeSha,
  });
  const textChecks: DodCheck[] = options.prText ? checkPrText(options.prText, { campaignTitles: await campaignTitles(ctx) }) : [];
  const failed = [...gate.failed_checks, ...textChecks];
  const snapshot = gate.snapshot ?? null;
  return failed.length === 0 ? { kind: 'passed', snapshot } : { kind: 'failed', failed_checks: failed, snapshot };
}
