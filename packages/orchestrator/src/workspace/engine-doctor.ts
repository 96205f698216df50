import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileProbeCache, getAgentEngine } from '@agentpr/codex-runner';
import { ENGINE_NAMES, type EngineName, type ManagerPolicy } from '@agentpr/policy';
import type { DoctorReport } from '@agentpr/workspace';
import { probeCacheFile } from '../agent/probe-cache-file.js';
import type { AppContext } from '../context.js';

/** One coding-agent engine as the doctor found it. */
export interface EngineDoctorRow {
  engine: EngineName;
  /** Where the policy chooses it: `default`, `stage ITERATING`, `repo o/r`, `repo o/r stage DISCOVERY`; empty when unused. */
  used_by: string[];
  /** Whether any agent step can run it; an unused engine is informational and never fails the doctor. */
  used: boolean;
  /** Found and probed usable. */
  ok: boolean;
  bin: string | null;
  /** Where the binary was found (`PATH`, `env:AGENTPR_CLAUDE_BIN`, `npm-platform-package`, …). */
  source: string | null;
  version: string | null;
  /** One line: the binary, its version, or what is wrong and how to fix it. */
  detail: string;
}

/**
 * Where the policy uses each engine: the global `run_agent_step.engine`, each global `engine_by_stage` entry, and
 * each repository's `engine` and `engine_by_stage`. An engine a repository override replaces everywhere still counts
 * where the global policy names it.
 * @example enginesInPolicy(policy).claude // ['stage ITERATING', 'repo octo/sample']
 */
export function enginesInPolicy(policy: ManagerPolicy): Record<EngineName, string[]> {
  const used: Record<EngineName, string[]> = { codex: [], claude: [] };
  const step = policy.run_agent_step;
  used[step.engine].push('default');
  for (const [stage, engine] of Object.entries(step.engine_by_stage)) used[engine].push(`stage ${stage}`);
  for (const [repo, o] of Object.entries(step.repo_overrides ?? {})) {
    if (o.engine !== undefined) used[o.engine].push(`repo ${repo}`);
    for (const [stage, engine] of Object.entries(o.engine_by_stage ?? {})) used[engine].push(`repo ${repo} stage ${stage}`);
  }
  return used;
}

/** The version a probe's capabilities report (both engines keep it as `version`). */
function versionOf(capabilities: unknown): string | null {
  return typeof capabilities === 'object' && capabilities !== null && 'version' in capabilities && typeof capabilities.version === 'string' ? capabilities.version : null;
}

/**
 * Finds every engine agentpr drives the way an agent step does (same resolver) and says which ones the policy uses;
 * with `probe`, also reads each one's version and capabilities (same probe cache as the steps). The probe runs with
 * PATH only and a throwaway home, so `--version` writes nothing into the operator's own engine homes. Never throws.
 * Startup gates only resolve (no process per command); `agentpr doctor` probes.
 *
 * @example
 * const rows = await engineDoctor(ctx, policy, { probe: true }); // [{ engine: 'codex', used: true, ok: true, version: '0.169.0', … }, …]
 */
export async function engineDoctor(ctx: Pick<AppContext, 'paths' | 'env'>, policy: ManagerPolicy, options: { probe: boolean }): Promise<EngineDoctorRow[]> {
  const used = enginesInPolicy(policy);
  const rows: EngineDoctorRow[] = [];
  for (const name of ENGINE_NAMES) rows.push(await engineRow(ctx, name, used[name], options.probe));
  return rows;
}

async function engineRow(ctx: Pick<AppContext, 'paths' | 'env'>, name: EngineName, usedBy: string[], probe: boolean): Promise<EngineDoctorRow> {
  const engine = getAgentEngine(name);
  const base = { engine: name, used_by: usedBy, used: usedBy.length > 0 };
  const found = engine.resolve(ctx.env);
  if (!found.ok) return { ...base, ok: false, bin: null, source: found.source, version: null, detail: `${name} not found: ${found.reason}` };
  if (!probe) return { ...base, ok: true, bin: found.path, source: found.source, version: null, detail: `${found.path} (${found.source})` };
  return probedRow(ctx, name, base, found);
}

async function probedRow(
  ctx: Pick<AppContext, 'paths' | 'env'>,
  name: EngineName,
  base: Pick<EngineDoctorRow, 'engine' | 'used_by' | 'used'>,
  found: { path: string; source: string },
): Promise<EngineDoctorRow> {
  const engine = getAgentEngine(name);
  const home = mkdtempSync(join(tmpdir(), 'agentpr-engine-probe-'));
  try {
    const env = { PATH: ctx.env.PATH ?? '', HOME: home, [engine.homeVar]: home };
    const probe = await engine.probe(found.path, { env, cache: fileProbeCache(probeCacheFile(ctx.paths.dataDir, name)) });
    if (!probe.ok) return { ...base, ok: false, bin: found.path, source: found.source, version: null, detail: `${name} at ${found.path} is not usable: ${probe.reason}` };
    const version = versionOf(probe.capabilities);
    return { ...base, ok: true, bin: found.path, source: found.source, version, detail: `${found.path} (${found.source})${version ? ` version ${version}` : ''}` };
  } catch (error) {
    return { ...base, ok: false, bin: found.path, source: found.source, version: null, detail: `${name} at ${found.path} could not be probed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The `engine.<name>` check of a used engine; where agents run, a failed one fails the doctor. */
export function engineCheck(row: EngineDoctorRow): { name: string; ok: boolean; detail: string } {
  return { name: `engine.${row.engine}`, ok: row.ok, detail: `${row.detail}; used by ${row.used_by.join(', ')}` };
}

/**
 * Where agents run, every engine the policy uses must be found and usable, and one it never uses must not fail the
 * machine: codex's `cmd.codex` check is relaxed to informational when no step runs codex.
 */
export function withEngineChecks(report: DoctorReport, rows: readonly EngineDoctorRow[]): DoctorReport {
  const codex = rows.find((r) => r.engine === 'codex');
  const checks = report.checks.map((c) =>
    c.name === 'cmd.codex' && !c.ok && codex && !codex.used ? { ...c, ok: true, detail: `${c.detail} (not used by the policy: informational)` } : c,
  );
  // A codex that cmd.codex already found missing is not reported twice.
  const codexMissing = report.checks.some((c) => c.name === 'cmd.codex' && !c.ok);
  const added = rows.filter((r) => r.used && !(r.engine === 'codex' && codexMissing)).map(engineCheck);
  const all = [...checks, ...added];
  // The report's failures are its failed checks in order, so they are recomputed over the changed list.
  const failures = all.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  return { ...report, ok: failures.length === 0, checks: all, failures };
}
