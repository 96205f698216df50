import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkIsolation } from '@agentpr/codex-runner';
import { openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, makeBareFork, makeUpstream, tempDir, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { runAgentStep } from '../run-agent-step.js';
import { fakeAgentRunner, memoryArtifacts, type Capture } from './fake-agent-runner.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..', '..');
const sandboxed = (await checkIsolation('bwrap', process.env)).ok;
afterAll(() => cleanupTempDirs());

let tdb: TestDatabase | undefined;
let store: OpenDatabase | undefined;
afterEach(async () => {
  await store?.close();
  await tdb?.drop();
  store = undefined;
  tdb = undefined;
});

/** Upstream, "adds numbers" already fails: the real baseline (run-prepare, real bwrap) records it. */
const UPSTREAM = {
  'package.json': JSON.stringify({ name: 'calc', private: true, type: 'module', scripts: { test: 'node --test' } }),
  'test/math.test.js': "import test from 'node:test';\nimport assert from 'node:assert/strict';\ntest('adds numbers', () => assert.equal(1 + 1, 3));\ntest('passes', () => {});\n",
};

/** A codex stream in which the agent ran `npm test` once, and node:test's TAP named `failing` tests. */
function agentRanTests(failing: readonly string[], tapOutput?: string): Capture {
  const tap = tapOutput ?? ['TAP version 13', ...failing.flatMap((name, i) => [`not ok ${i + 1} - ${name}`, '  ---', `  error: '${name} is wrong'`, '  ...']), `# fail ${failing.length}`].join('\n');
  const events = [
    { type: 'thread.started', thread_id: 't1' },
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -lc 'npm test'", aggregated_output: tap, exit_code: 1, status: 'failed' } },
    { type: 'item.completed', item: { id: 'i2', type: 'agent_message', text: 'Done.' } },
    { type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 0, output_tokens: 5 } },
  ];
  return { stdout: `${events.map((e) => JSON.stringify(e)).join('\n')}\n`, exit: 0, stderr: '', lastMessage: 'Done.' };
}

async function implementing(capture: Capture) {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const upstream = await makeUpstream({ files: UPSTREAM });
  const fork = await makeBareFork(upstream);
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-') };
  const artifacts = memoryArtifacts();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env, { overrides: { agent: fakeAgentRunner({ capture }).runner, artifacts } }),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(data, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
  };
  const { run_id } = await createRun(ctx, { owner: 'acme', repo: 'calc', prompt_version: 'v1' });
  const prepared = await prepareRun(ctx, { runId: run_id, upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
  expect(prepared).toMatchObject({ kind: 'prepared', baseline: { kind: 'recorded', outcome: 'failed' } });
  await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
  await applyCommand(ctx, run_id, { command: 'start-implementation' });
  const result = await runAgentStep(ctx, { runId: run_id, prompt: 'Fix the docs.', skipPreflight: true, network: 'on' });
  if (result.kind !== 'converged') throw new Error(`expected a converged step, got ${result.kind}`);
  const digest = JSON.parse(artifacts.files.get(result.reports.digest)!) as { validation: Record<string, unknown> };
  return { result, digest, insight: artifacts.files.get(result.reports.insight)! };
}

describe.skipIf(!sandboxed)('the verdict against run-prepare\'s baseline (real prepare, fake agent port)', () => {
  it('a test that failed before the agent does not fail the attempt; the digest and insight name it with before_agent: true', async () => {
    const { result, digest, insight } = await implementing(agentRanTests(['adds numbers']));
    expect([result.verdict, result.classification.reason_code, result.state]).toEqual(['PASS', 'runtime_success_pre_existing_test_failures', 'LOCAL_VALIDATING']);
    expect(result.classification.evidence.find((e) => e.failing_tests)?.failing_tests).toEqual([{ name: 'adds numbers', before_agent: true }]);
    expect(digest.validation).toMatchObject({
      failed_test_command_count: 0,
      test_command_count: 1,
      failing_tests: [{ name: 'adds numbers', excerpt: "error: 'adds numbers is wrong'", before_agent: true }],
    });
    expect(insight).toContain("- `adds numbers` (failing before the agent): error: 'adds numbers is wrong'");
  });

  it('a new failing test is broken by the agent: test_command_failed, each test marked', async () => {
    const { result, digest, insight } = await implementing(agentRanTests(['adds numbers', 'subtracts']));
    expect([result.verdict, result.classification.reason_code, result.state]).toEqual(['HUMAN_REVIEW', 'test_command_failed', 'NEEDS_HUMAN_REVIEW']);
    expect(result.classification.evidence.find((e) => e.failing_tests)?.failing_tests).toEqual([{ name: 'adds numbers', before_agent: true }, { name: 'subtracts', before_agent: false }]);
    expect(digest.validation).toMatchObject({ failed_test_command_count: 1, failing_tests: [{ name: 'adds numbers', before_agent: true }, { name: 'subtracts', before_agent: false }] });
    expect(insight).toContain('- `subtracts` (broken by the agent)');
  });

  it('node:test reporting the whole file (as under codex\'s sandbox) matches the baseline\'s failing test located in it', async () => {
    // The shape node --test prints under codex's sandbox (packages/runtime-analysis/src/__tests__/fixtures/test-output).
    const perFile = ['TAP version 13', 'not ok 1 - test/math.test.js', '  ---', "  location: 'test/math.test.js:1:1'", "  error: 'test failed'", "  code: 'ERR_TEST_FAILURE'", '  ...', '# fail 1'];
    const { result, digest } = await implementing(agentRanTests([], perFile.join('\n')));
    expect([result.verdict, result.classification.reason_code, result.state]).toEqual(['PASS', 'runtime_success_pre_existing_test_failures', 'LOCAL_VALIDATING']);
    expect(digest.validation).toMatchObject({ failing_tests: [{ name: 'test/math.test.js', before_agent: true, excerpt: expect.stringContaining('adds numbers') }] });
  });
});
