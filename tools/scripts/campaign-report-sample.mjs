#!/usr/bin/env node
// Regenerates the `agentpr campaign-report` sample shown in packages/reports/README.md and the chart at
// docs/campaign-report.svg: seeds a throwaway SQLite store with a small fictional campaign through the store's own
// functions, then runs the built CLI as a terminal would see it. Build first (`npm run build`, or
// `npx nx run agentpr:build`), then from the repository root:
//
//   node tools/scripts/campaign-report-sample.mjs            # writes the SVG and the README block, prints the table
//   node tools/scripts/campaign-report-sample.mjs --print    # only prints the table
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  applyEvent,
  claimStaleClose,
  createRun,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  openStore,
  recordAttempt,
  recordPrOpened,
  recordRejection,
} from '@agentpr/store';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHART = join(ROOT, 'docs', 'campaign-report.svg');
const README = join(ROOT, 'packages', 'reports', 'README.md');
const START = '<!-- campaign-report-sample:start -->';
const END = '<!-- campaign-report-sample:end -->';
const CAMPAIGN = 'acme-sdk';
const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const HOUR = 3_600_000;
const at = (h) => () => new Date(T0 + h * HOUR);
const iso = (h) => new Date(T0 + h * HOUR).toISOString();

const POLICY = {
  pricing: {
    currency: 'USD',
    models: {
      'gpt-5-codex': { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 },
      codex: { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 },
    },
  },
};

// [repository, stage reached, PR outcome, agent attempts as [input, cached, output, reasoning] in thousands]
// Stages: created | prepared | pushed | pr. Outcomes: { merged: h } | { closed: h, why } | { stale: h } | open.
const RUNS = [
  ['widgets', 'pr', { openH: 3, responseH: 9, mergedH: 30 }, [[820, 610, 21, 9]]],
  ['gizmo', 'pr', { openH: 5, responseH: 6, mergedH: 52 }, [[640, 420, 18, 7], [910, 700, 25, 11]]],
  ['sprockets', 'pr', { openH: 2, responseH: 40, mergedH: 170 }, [[1200, 950, 33, 14]]],
  ['flux', 'pr', { openH: 8, responseH: 12, mergedH: 14 }, [[450, 300, 12, 5]]],
  ['ratchet', 'pr', { openH: 4, responseH: 20, closedH: 22, why: 'duplicate' }, [[700, 520, 19, 8]]],
  ['lumen', 'pr', { openH: 6, responseH: 60, closedH: 61, why: 'unwanted_change' }, [[530, 400, 15, 6]]],
  ['quartz', 'pr', { openH: 7, closedH: 600, stale: true, why: 'no_response' }, [[880, 640, 24, 10]]],
  ['tensile', 'pr', { openH: 9, responseH: 30, closedH: 31, why: 'ci_failing' }, [[1500, 1100, 41, 18], [600, 480, 16, 7]]],
  ['harbor', 'pr', { openH: 3 }, [[760, 590, 20, 8]]],
  ['orbit', 'pr', { openH: 5, responseH: 7 }, [[420, 310, 11, 4]]],
  ['cobalt', 'pushed', null, [[980, 700, 27, 12]]],
  ['meridian', 'prepared', null, [[1300, 900, 36, 15], null]],
  ['basalt', 'prepared', null, [[300, 0, 8, 3]]],
  ['fathom', 'created', null, []],
  ['juniper', 'created', null, []],
];

const TO_PUSHED = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/acme-sdk', head_sha: 'a'.repeat(40) },
];

async function seed(db) {
  for (const [i, [repo, stage, pr, attempts]] of RUNS.entries()) {
    const runId = `run_sample${String(i + 1).padStart(3, '0')}`;
    const h = i * 2;
    await createRun(db, { runId, owner: 'acme', repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign: CAMPAIGN }, at(h));
    if (stage === 'created') continue;
    await recordAttempt(db, { runId, step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 4000 }, at(h));
    for (const a of attempts) {
      const usage = a && { engine: 'codex', model: 'gpt-5-codex', inputTokens: a[0] * 1000, cachedInputTokens: a[1] * 1000, outputTokens: a[2] * 1000, reasoningTokens: a[3] * 1000 };
      await recordAttempt(db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 240_000, ...(usage ? { usage } : {}) }, at(h));
    }
    const path = stage === 'prepared' ? TO_PUSHED.slice(0, 3) : TO_PUSHED;
    for (const event of path) await applyEvent(db, runId, { event: { ...event, actor: 'manager' } }, at(h + 1));
    if (stage === 'prepared') continue;
    if (!pr) continue;
    const key = { runId, prNumber: 200 + i };
    await applyEvent(db, runId, { event: { type: 'command.pr.linked', pr_number: key.prNumber, actor: 'operator' } }, at(h + pr.openH));
    await recordPrOpened(db, { ...key, owner: 'acme', repo, campaign: CAMPAIGN, prUrl: `https://github.com/acme/${repo}/pull/${key.prNumber}`, openedAt: iso(h + pr.openH) });
    const response = pr.responseH && iso(h + pr.responseH);
    if (response) await notePrChecked(db, key, { firstResponseAt: response, lastMaintainerActivityAt: response, checkedAt: response });
    if (pr.mergedH) {
      await markPrMerged(db, key, iso(h + pr.mergedH));
      await applyEvent(db, runId, { event: { type: 'github.pull_request.closed', pr_number: key.prNumber, merged: true, actor: 'webhook' } }, at(h + pr.mergedH));
    }
    if (pr.closedH) {
      if (pr.stale) await claimStaleClose(db, key, iso(h + pr.closedH));
      await markPrClosed(db, key, iso(h + pr.closedH));
      await recordRejection(db, key, { category: pr.why, evidence: 'sample' });
      if (pr.stale) await applyEvent(db, runId, { event: { type: 'command.run.skip', reason_code: 'stale', message: 'no maintainer response', actor: 'manager' } }, at(h + pr.closedH));
    }
  }
}

/** Runs the built CLI in-process with a stdout that says it is a terminal, and returns what it printed. */
async function runCli(argv) {
  const { main } = await import(pathToFileURL(join(ROOT, 'apps', 'cli', 'dist', 'index.js')).href);
  let out = '';
  let err = '';
  const stdout = new Writable({ write(chunk, _enc, done) { out += chunk; done(); } });
  stdout.isTTY = true;
  const stderr = new Writable({ write(chunk, _enc, done) { err += chunk; done(); } });
  const code = await main(argv, { stdout, stderr, env: { ...process.env, NO_COLOR: '1' } });
  if (code !== 0) throw new Error(`agentpr ${argv.join(' ')} exited ${code}: ${err}`);
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'agentpr-campaign-sample-'));
try {
  const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'agentpr.db') });
  try {
    await seed(store.db);
  } finally {
    await store.close();
  }
  writeFileSync(join(dataDir, 'manager_policy.json'), JSON.stringify(POLICY));
  const printOnly = process.argv.includes('--print');
  const argv = ['--data-dir', dataDir, '--skip-doctor', 'campaign-report', '--campaign', CAMPAIGN, ...(printOnly ? [] : ['--chart', CHART])];
  const text = (await runCli(argv)).replace(/\n\nchart written to .*\n?$/s, '\n').trimEnd();
  process.stdout.write(`${text}\n`);
  if (!printOnly) {
    const readme = readFileSync(README, 'utf8');
    const from = readme.indexOf(START);
    const to = readme.indexOf(END);
    if (from === -1 || to < from) throw new Error(`${README} has no ${START} … ${END} block`);
    const block = `${START}\n\`\`\`text\n$ agentpr campaign-report --campaign ${CAMPAIGN} --chart docs/campaign-report.svg\n${text}\n\`\`\`\n`;
    writeFileSync(README, readme.slice(0, from) + block + readme.slice(to));
    process.stdout.write(`\nwrote ${relative(ROOT, CHART)} and the sample in ${relative(ROOT, README)}\n`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
