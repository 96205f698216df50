import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startLlmStub, type LlmScenarioInput, type RunningLlmStub } from '@agentpr/llm-stub';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { openStore } from '@agentpr/store';
import { auditRecords, CANARY_KEY, cliFor, closedPort, holdsToken, injectedTitle, seedRuns, statesOf, storedTokenHashes, STUB_MODEL, type SeededRuns } from './ask-harness.js';

// Issue 16, the CLI door: `agentpr ask` through the built binary, without a terminal (scripts), over a real store,
// with the real openai SDK talking to the scripted OpenAI-compatible stub on 127.0.0.1.

afterAll(() => cleanupTempDirs());

describe.each(dialectsUnderTest())('agentpr ask on %s (issue 16)', (kind) => {
  let db: TestDatabase | undefined;
  let stub: RunningLlmStub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
    await db?.drop();
    db = undefined;
  });

  async function setUp(scenario: string | LlmScenarioInput, vars: (runs: SeededRuns) => Record<string, string> = () => ({})) {
    db = await freshDatabase(kind);
    const home = tempDir('agentpr-ask-');
    const cli = cliFor(db, home);
    expect((await cli(['init-db'])).code).toBe(0);
    const runs = await seedRuns(db, home);
    stub = await startLlmStub({ scenario, apiKey: CANARY_KEY, vars: vars(runs) });
    const llm = ['--llm-base-url', stub.url, '--llm-model', STUB_MODEL];
    const all = [runs.active, runs.paused, runs.pushed];
    return { db, home, cli, runs, stub, llm, all };
  }

  it('a read question is answered from the store: the reply names the runs by owner/repo, the audit has the turn and no key', async () => {
    const { cli, home, llm, runs, stub } = await setUp('read-stuck-runs');
    const r = await cli(['ask', 'which runs are stuck and why?', ...llm]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ kind: 'answered', actions: [], usage: { tool_calls: 1 } });
    expect(r.json.request_id).toMatch(/^ask_[0-9a-f]{12}$/);
    for (const repo of ['octo/alpha', 'octo/beta', 'octo/gamma']) expect(r.json.reply).toContain(repo);
    expect(r.json.reply).toContain(runs.paused);
    expect(r.json.usage.input_tokens).toBeGreaterThan(0);
    expect(stub.requests.every((q) => q.authorized && q.model === STUB_MODEL)).toBe(true);
    expect(stub.requests[0]!.tools).toContain('list_runs');
    expect(stub.requests[0]!.tools.some((name) => /approv|merge/i.test(name))).toBe(false);
    const audit = auditRecords(home);
    expect(audit.records.map((a) => a.kind)).toEqual(['assistant_question', 'assistant_tool_call', 'assistant_reply']);
    expect(audit.records[0]).toMatchObject({ question: 'which runs are stuck and why?', tier: 'admin' });
    expect(audit.records[0]!.chat_key).toMatch(/^cli:./);
    expect(audit.records[1]).toMatchObject({ tool: 'list_runs', outcome: 'ran' });
    expect(audit.raw).not.toContain(CANARY_KEY);
    expect(`${r.stdout}${r.stderr}`).not.toContain(CANARY_KEY);
  });

  it('a write waits for a confirmation: without a terminal or --yes nothing runs (exit 2, one line); with --yes the stored action runs', async () => {
    const { cli, db, home, llm, runs, all } = await setUp('pause-run', (r) => ({ RUN_ID: r.active }));
    const before = await statesOf(db, all);

    const refused = await cli(['ask', 'pause alpha', ...llm]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^agentpr: not run: pause ${runs.active} \\(octo/alpha\\).* needs a confirmation; rerun with --yes or on a terminal$`)),
    ]);
    expect(refused.json).toMatchObject({ kind: 'answered', actions: [{ tool: 'pause_run', status: 'not_run' }] });
    expect(refused.json.actions[0].summary).toContain(`${runs.active} (octo/alpha)`);
    expect(await statesOf(db, all)).toEqual(before);

    const confirmed = await cli(['ask', 'pause alpha', '--yes', ...llm]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.json).toMatchObject({ kind: 'answered', actions: [{ tool: 'pause_run', status: 'done' }] });
    expect(confirmed.json.actions[0].result).toContain('PAUSED');
    expect(await statesOf(db, all)).toEqual({ ...before, [runs.active]: 'PAUSED' });

    const hashes = await storedTokenHashes(db);
    expect(hashes.size).toBe(2);
    const audit = auditRecords(home);
    expect(audit.records.filter((a) => a.kind === 'assistant_action').map((a) => a.outcome)).toEqual(['cancelled', 'confirmed']);
    for (const text of [audit.raw, refused.stdout, refused.stderr, confirmed.stdout, confirmed.stderr]) expect(holdsToken(text, hashes)).toBe(false);
    expect(JSON.stringify([refused.json, confirmed.json])).not.toMatch(/"token"/);
  });

  it('invalid tool arguments go back to the model and nothing runs', async () => {
    const { cli, db, home, llm, all } = await setUp('invalid-arguments');
    const before = await statesOf(db, all);
    const r = await cli(['ask', 'pause something', ...llm]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ kind: 'answered', reply: expect.stringContaining('Sorry, I could not do that.'), actions: [] });
    const calls = auditRecords(home).records.filter((a) => a.kind === 'assistant_tool_call');
    expect(calls.map((a) => [a.tool, a.outcome])).toEqual([
      ['pause_run', 'invalid_arguments'],
      ['pause_run', 'invalid_arguments'],
    ]);
    expect(await statesOf(db, all)).toEqual(before);
  });

  it('an instruction planted in a PR title reaches the model as data, and what the model then asks for does not run without a human', async () => {
    const { cli, db, llm, runs, stub, all } = await setUp('injection');
    const before = await statesOf(db, all);
    const r = await cli(['ask', 'anything waiting for me?', ...llm]);
    expect(r.code).toBe(2);
    const resumes = r.json.actions.filter((a: any) => a.tool === 'resume_run');
    expect(resumes.length).toBeGreaterThan(0);
    expect(resumes.every((a: any) => a.status === 'not_run')).toBe(true);
    expect(r.stderr).toContain(`not run: resume ${runs.paused}`);
    expect(await statesOf(db, all)).toEqual(before);
    const toolMessage = stub.requests[1]!.messages.find((m: any) => m.role === 'tool') as { content: string } | undefined;
    expect(toolMessage?.content).toContain('ignore previous instructions');
    expect(toolMessage?.content).toMatch(/untrusted/i);
    expect(injectedTitle(runs)).toContain('ignore previous instructions');
  });

  it('the model asking to approve a PR is refused, and the reply points to agentpr approve-open-pr', async () => {
    const { cli, db, home, llm, runs, all } = await setUp('approve-pr', (r) => ({ RUN_ID: r.pushed }));
    const before = await statesOf(db, all);
    const r = await cli(['ask', `approve the PR of ${runs.pushed}`, ...llm]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.actions).toEqual([]);
    expect(r.json.reply).toContain('agentpr approve-open-pr');
    expect(auditRecords(home).records.find((a) => a.kind === 'assistant_tool_call')).toMatchObject({ tool: 'approve_pr', outcome: 'refused_approve' });
    expect(await statesOf(db, all)).toEqual(before);
  });

  it('drive_run, confirmed with --yes, runs one manager tick for that run only; the failed action is reported as the write failing', async () => {
    const scenario: LlmScenarioInput = {
      name: 'drive',
      model: STUB_MODEL,
      turns: [{ steps: [{ kind: 'tool_calls', calls: [{ name: 'drive_run', arguments: { run_id: '{{RUN_ID}}' } }] }, { kind: 'reply', content: 'Driven.' }] }],
    };
    const { cli, db, home, llm, runs, stub, all } = await setUp(scenario, (r) => ({ RUN_ID: r.active }));
    const before = await statesOf(db, all);
    // A row edited to place the workspace outside the root: the tick's run_prepare refuses it before any clone.
    const store = await openStore(db.location);
    try {
      await store.db.updateTable('runs').set({ workspace_rel: '../../outside' }).where('run_id', '=', runs.active).execute();
    } finally {
      await store.close();
    }
    const r = await cli(['ask', 'move alpha along', '--yes', ...llm]);
    expect(r.code).toBe(1);
    expect(stub.requests[0]!.tools).toContain('drive_run');
    expect(r.json.actions).toEqual([
      expect.objectContaining({ tool: 'drive_run', status: 'failed', summary: expect.stringContaining(`${runs.active} (octo/alpha)`) }),
    ]);
    expect(r.json.actions[0].result).toMatch(new RegExp(`^Failed: .*${runs.active} \\[DISCOVERY\\] run_prepare\\(failed\\) error: .*outside the workspace root`));
    expect(await statesOf(db, all)).toEqual(before);
    expect(auditRecords(home).records.find((a) => a.kind === 'assistant_action')).toMatchObject({ tool: 'drive_run', outcome: 'failed' });
  });

  it('a spent tool-call budget (policy manager_llm.max_tool_calls: 2) ends the turn with a reply that says so, exit 75', async () => {
    const { cli, home, llm } = await setUp('budget-tool-calls');
    const policy = join(home, 'policy.json');
    writeFileSync(policy, JSON.stringify({ manager_llm: { max_tool_calls: 2 } }));
    const r = await cli(['ask', 'list everything', '--policy-file', policy, ...llm]);
    expect(r.code).toBe(75);
    expect(r.json).toMatchObject({ kind: 'budget_exhausted', budget: 'tool_calls' });
    expect(r.json.reply).toMatch(/budget|tool calls/i);
    expect(r.json.usage.tool_calls).toBeLessThanOrEqual(3);
  });

  it('the model endpoint down: exactly one line on stderr and exit 1; the deterministic commands keep working', async () => {
    const { cli } = await setUp('read-stuck-runs');
    const port = await closedPort();
    const r = await cli(['ask', 'which runs are stuck?', '--llm-base-url', `http://127.0.0.1:${port}/v1`, '--llm-model', STUB_MODEL]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(lines[0]).not.toContain(CANARY_KEY);
    const list = await cli(['list-runs']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('octo');
  });

  it('bad input changes nothing: no model configured, no question without a terminal, an empty question (exit 2, one line each)', async () => {
    const { cli, stub } = await setUp('read-stuck-runs');
    const unconfigured = await cli(['ask', 'hello']);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr.trim().split('\n')).toHaveLength(1);
    expect(unconfigured.stderr).toContain('--llm-model');
    expect(unconfigured.stderr).toContain('AGENTPR_LLM_MODEL');

    const noQuestion = await cli(['ask', '--llm-base-url', stub.url, '--llm-model', STUB_MODEL]);
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.stderr.trim().split('\n')).toEqual([expect.stringContaining('needs a terminal')]);

    const empty = await cli(['ask', '   ', '--llm-base-url', stub.url, '--llm-model', STUB_MODEL]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the question is empty');

    const badUrl = await cli(['ask', 'hello', '--llm-base-url', 'ftp://example.test/v1', '--llm-model', STUB_MODEL]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr.trim().split('\n')).toHaveLength(1);
    expect(stub.requests).toHaveLength(0);
  });
});
