import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManagerPolicy } from '@agentpr/policy';
import { claudeBinaryPath, cleanupTempDirs, tempDir } from '@agentpr/testing';
import { engineDoctor, enginesInPolicy, withEngineChecks } from '../engine-doctor.js';
import { runDoctor } from '../run-doctor.js';
import { SHIPPED_SKILLS } from './harness.js';

afterAll(() => cleanupTempDirs());

function policyOf(raw: unknown) {
  const parsed = parseManagerPolicy(raw);
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.policy;
}

/** A doctor context over a fresh data dir with `policy` as its policy file; PATH has node and git but no codex. */
function context(env: Record<string, string>, policy: unknown) {
  const dir = tempDir('agentpr-engine-doctor-');
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  const paths = { dataDir: dir, reportsDir: join(dir, 'reports'), workspaceRoot: join(dir, 'ws'), campaignDir: dir, skillsDir: SHIPPED_SKILLS, policyFile, runtimeEnvFile: '' };
  return { env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tempDir('agentpr-home-'), ...env }, paths };
}

const CLAUDE_ONLY = { run_agent_step: { engine: 'claude' } };

describe('enginesInPolicy', () => {
  it('names every place the policy picks an engine: the default, global stages, repositories and their stages', () => {
    const policy = policyOf({
      run_agent_step: {
        engine_by_stage: { ITERATING: 'claude' },
        repo_overrides: { 'o/a': { engine: 'claude' }, 'o/b': { engine_by_stage: { DISCOVERY: 'claude', IMPLEMENTING: 'codex' } } },
      },
    });
    expect(enginesInPolicy(policy)).toEqual({
      codex: ['default', 'repo o/b stage IMPLEMENTING'],
      claude: ['stage ITERATING', 'repo o/a', 'repo o/b stage DISCOVERY'],
    });
    expect(enginesInPolicy(policyOf({}))).toEqual({ codex: ['default'], claude: [] });
  });
});

describe('engineDoctor on the real claude binary', () => {
  it('finds and probes claude (version 2.1.332), caches the probe per engine, and marks codex unused in a claude-only policy', async () => {
    const ctx = context({ AGENTPR_CLAUDE_BIN: claudeBinaryPath() }, CLAUDE_ONLY);
    const rows = await engineDoctor(ctx, policyOf(CLAUDE_ONLY), { probe: true });
    const claude = rows.find((r) => r.engine === 'claude')!;
    expect(claude).toMatchObject({ used: true, used_by: ['default'], ok: true, bin: claudeBinaryPath(), source: 'env:AGENTPR_CLAUDE_BIN', version: '2.1.332' });
    expect(existsSync(join(ctx.paths.dataDir, 'cache', 'claude-probe.json'))).toBe(true);
    expect(rows.find((r) => r.engine === 'codex')).toMatchObject({ used: false, used_by: [] });
  });

  it('where agents run, a used engine that is missing fails with its fix; an unused codex that is missing does not fail', async () => {
    const missing = context({ AGENTPR_CLAUDE_BIN: '/nonexistent/claude' }, CLAUDE_ONLY);
    const failed = await runDoctor(missing, { requireCodex: true, skipNetworkCheck: true, requireGhAuth: false });
    expect(failed.kind).toBe('not_ready');
    expect(failed.report.failures.filter((f) => f.startsWith('engine.') || f.startsWith('cmd.codex'))).toEqual([
      expect.stringMatching(/^engine\.claude: claude not found: .*AGENTPR_CLAUDE_BIN.*; used by default$/),
    ]);
    const flags = { requireCodex: true, showEngines: true, skipNetworkCheck: true, requireGhAuth: false };
    const found = await runDoctor(context({ AGENTPR_CLAUDE_BIN: claudeBinaryPath() }, CLAUDE_ONLY), flags);
    const checks = Object.fromEntries(found.report.checks.map((c) => [c.name, c]));
    expect(checks['engine.claude']).toMatchObject({ ok: true, detail: expect.stringContaining('version 2.1.332') });
    expect(checks['cmd.codex']).toMatchObject({ ok: true, detail: expect.stringContaining('not used by the policy: informational') });
    expect(found.report.failures.filter((f) => f.startsWith('engine.') || f.startsWith('cmd.codex'))).toEqual([]);
  });

  it('a startup gate only resolves the engines (no probe, no cache written)', async () => {
    const ctx = context({ AGENTPR_CLAUDE_BIN: claudeBinaryPath() }, CLAUDE_ONLY);
    const { report } = await runDoctor(ctx, { requireCodex: true, skipNetworkCheck: true, requireGhAuth: false });
    expect(report.checks.find((c) => c.name === 'engine.claude')).toMatchObject({ ok: true, detail: `${claudeBinaryPath()} (env:AGENTPR_CLAUDE_BIN); used by default` });
    expect(existsSync(join(ctx.paths.dataDir, 'cache'))).toBe(false);
  });

  it('the plain doctor lists the engines without requiring them', async () => {
    const { kind, report } = await runDoctor(context({ AGENTPR_CLAUDE_BIN: '/nonexistent/claude' }, {}), { showEngines: true, skipNetworkCheck: true, requireGhAuth: false });
    expect(kind).toBe('ready');
    expect(report.engines?.map((r) => [r.engine, r.used, r.ok])).toEqual([['codex', true, expect.any(Boolean)], ['claude', false, false]]);
    expect(report.checks.some((c) => c.name.startsWith('engine.'))).toBe(false);
  });
});

describe('withEngineChecks', () => {
  const report = { ok: false, failures: ['cmd.codex: not found'], warnings: [], duration_ms: 1, context: {}, checks: [{ name: 'cmd.codex', ok: false, detail: 'not found' }] };
  const row = (engine: 'codex' | 'claude', used: boolean, ok: boolean) => ({ engine, used, used_by: used ? ['default'] : [], ok, bin: null, source: null, version: null, detail: ok ? 'found' : 'missing' });

  it('keeps a used codex\'s failure once (no engine.codex duplicate) and adds a used claude\'s check', () => {
    const checked = withEngineChecks(report, [row('codex', true, false), row('claude', true, true)]);
    expect(checked.failures).toEqual(['cmd.codex: not found']);
    expect(checked.checks.map((c) => c.name)).toEqual(['cmd.codex', 'engine.claude']);
    expect(checked.ok).toBe(false);
  });
});
