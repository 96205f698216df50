import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIsolation } from '@agentpr/codex-runner';
import { latestArtifact, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, git, makeBareFork, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { createRun } from '../../runs/create-run.js';
import { latestBaseline } from '../baseline.js';
import { prepareRun, type PrepareRunResult } from '../prepare-run.js';
import { workspaceContext } from './harness.js';

const stores: OpenDatabase[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

const SECRET = 'ghp_baselineSecretToken1234567890';
const sandboxed = (await checkIsolation('bwrap', process.env)).ok;

/** A node:test suite whose "adds numbers" already fails upstream; it prints what it can see of agentpr's secrets. */
const FAILING_UPSTREAM = {
  'package.json': JSON.stringify({ name: 'calc', private: true, type: 'module', scripts: { test: 'node --test' } }),
  'test/math.test.js': [
    "import test from 'node:test';",
    "import assert from 'node:assert/strict';",
    "test('adds numbers', () => assert.equal(1 + 1, 3));",
    "test('passes', () => {});",
    "test('sees no secrets', () => { console.log(`token=${process.env.GITHUB_TOKEN ?? 'none'} home=${process.env.HOME}`); });",
  ].join('\n'),
};

/** A test command that leaves a mark outside its workspace if it ever runs unconfined. */
function markingUpstream(marker: string) {
  return { 'package.json': JSON.stringify({ name: 'm', private: true, scripts: { test: `node -e "require('fs').writeFileSync('${marker}', 'ran')"` } }) };
}

async function prepared(files: Record<string, string>, options: { policy?: unknown; ctx?: (ctx: AppContext) => AppContext } = {}) {
  const { ctx: base, store } = await workspaceContext({ env: testGitEnv({ GITHUB_TOKEN: SECRET }) });
  stores.push(store);
  const ctx = options.ctx ? options.ctx(base) : base;
  if (options.policy !== undefined) writeFileSync(ctx.paths.policyFile, JSON.stringify(options.policy));
  const upstream = await makeUpstream({ files });
  const fork = await makeBareFork(upstream);
  const run = await createRun(ctx, { owner: 'acme', repo: 'calc', prompt_version: 'v1' });
  const result = await prepareRun(ctx, { runId: run.run_id, upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
  if (result.kind !== 'prepared') throw new Error(`prepare failed: ${result.kind}`);
  return { ctx, run, result, upstream };
}

function baselineOf(result: Extract<PrepareRunResult, { kind: 'prepared' }>) {
  return result.baseline;
}

describe('run-prepare takes a baseline', () => {
  it.skipIf(!sandboxed)('runs the repository\'s tests on the base commit in the agent\'s sandbox and records which fail, without a secret or a dirty workspace', async () => {
    const { ctx, run, result, upstream } = await prepared(FAILING_UPSTREAM);
    const baseline = baselineOf(result);
    expect(baseline).toMatchObject({ kind: 'recorded', outcome: 'failed', command: ['npm', 'test'], source: 'package.json scripts.test' });
    if (baseline.kind !== 'recorded') return;
    expect(baseline.failingTests.map((t) => t.name)).toEqual(['adds numbers']);
    // Where it lives, relative to the repository root (the tests ran in a throwaway copy elsewhere).
    expect(baseline.failingTests[0]!.file).toBe('test/math.test.js');
    expect(baseline.failingTests[0]!.excerpt).toContain('Expected values to be strictly equal');

    const artifact = await latestArtifact(ctx.db, run.run_id, 'baseline_tests');
    expect(artifact).toMatchObject({ uri: baseline.artifactPath, metadata: { outcome: 'failed', failing_tests: ['adds numbers'], failing_test_locations: [{ name: 'adds numbers', file: 'test/math.test.js' }], base_sha: upstream.headSha, isolation: 'bwrap' } });
    const body = JSON.parse(readFileSync(baseline.artifactPath, 'utf8')) as { excerpt: string; duration_ms: number; command: string[] };
    expect(body.command).toEqual(['npm', 'test']);
    expect(body.duration_ms).toBeGreaterThan(0);
    // The agent's environment: no GitHub token, a private HOME inside the throwaway copy.
    expect(body.excerpt).toContain('token=none');
    expect(body.excerpt).not.toContain(SECRET);
    expect(await latestBaseline(ctx, run.run_id)).toEqual({
      outcome: 'failed', failing_tests: ['adds numbers'], failing_test_locations: [{ name: 'adds numbers', file: 'test/math.test.js' }],
    });
    // The agent starts from an untouched clone.
    expect(await git(result.clone.workspace_dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });

  it('is skipped with its reason when the policy turns it off, and the tests never run', async () => {
    const marker = join(tempDir('agentpr-mark-'), 'ran');
    const { ctx, run, result } = await prepared(markingUpstream(marker), { policy: { baseline_tests: { repos: { 'acme/calc': { enabled: false } } } } });
    expect(baselineOf(result)).toMatchObject({ kind: 'skipped', reason: 'disabled' });
    expect(existsSync(marker)).toBe(false);
    expect((await latestArtifact(ctx.db, run.run_id, 'baseline_tests'))?.metadata).toMatchObject({ outcome: 'skipped', reason: 'disabled' });
    expect(await latestBaseline(ctx, run.run_id)).toBeNull();
  });

  it('is skipped, never run unconfined, when the agent\'s sandbox is unavailable and the policy wants one', async () => {
    const marker = join(tempDir('agentpr-mark-'), 'ran');
    const noSandbox = (ctx: AppContext): AppContext => ({
      ...ctx,
      agent: { ...ctx.agent, checkIsolation: () => Promise.resolve({ ok: false, level: 'bwrap', reason: 'bwrap cannot create a user namespace.', hint: 'enable user namespaces' }) },
    });
    const { result } = await prepared(markingUpstream(marker), { ctx: noSandbox });
    const baseline = baselineOf(result);
    expect(baseline).toMatchObject({ kind: 'skipped', reason: 'sandbox_unavailable' });
    expect(baseline.kind === 'skipped' && baseline.message).toContain('never runs unconfined');
    expect(existsSync(marker)).toBe(false);
  });

  it('is skipped when the repository names no test command', async () => {
    const { result } = await prepared({ 'README.md': '# no tests\n' });
    expect(baselineOf(result)).toMatchObject({ kind: 'skipped', reason: 'no_test_command' });
  });

  it.skipIf(!sandboxed)('the tests reach no network and none of agentpr\'s files, as the agent cannot', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // another agentpr data dir on this host: it exists, and the sandbox must not show it
      const { ctx: base, store } = await workspaceContext();
      stores.push(store);
      const script = [
        "const net = require('net'); const fs = require('fs');",
        `console.log('DATA=' + fs.existsSync(${JSON.stringify(base.paths.dataDir)}));`,
        `net.connect(${port}, '127.0.0.1').on('connect', () => { console.log('NET=open'); process.exit(0); }).on('error', () => { console.log('NET=closed'); process.exit(1); });`,
      ].join('\n');
      const { result } = await prepared({ 'package.json': JSON.stringify({ name: 'probe', private: true, scripts: { test: 'node probe.cjs' } }), 'probe.cjs': script });
      const baseline = baselineOf(result);
      expect(baseline).toMatchObject({ kind: 'recorded', outcome: 'failed' });
      const body = JSON.parse(readFileSync(baseline.kind === 'recorded' ? baseline.artifactPath : '', 'utf8')) as { excerpt: string };
      expect(body.excerpt).toContain('NET=closed');
      expect(body.excerpt).toContain('DATA=false');
    } finally {
      server.close();
    }
  });

  it.skipIf(!sandboxed)('stops a test command at the policy\'s time limit and records timed_out', async () => {
    const files = { 'package.json': JSON.stringify({ name: 'slow', private: true, scripts: { test: 'node -e "setTimeout(() => {}, 60000)"' } }) };
    const started = Date.now();
    const { result } = await prepared(files, { policy: { baseline_tests: { max_seconds: 1 } } });
    expect(baselineOf(result)).toMatchObject({ kind: 'recorded', outcome: 'timed_out' });
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
