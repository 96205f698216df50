// Seeds the dashboard benchmark's SQLite store fast. The template runs and the big run are written through the real
// store API (dashboard-scripts.mjs), so their rows are exactly what agentpr writes (events with to_state, attempts,
// run_states.last_verdict, artefacts, gate checks, PR requests and activity). Every other run is a clone of a template:
// its rows are copied with prepared INSERTs in transactions of 5,000 runs, with the run id, repository, campaign, PR
// number and times replaced. Artefact URIs of report files keep pointing at the template's files, which exist.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { TEMPLATE_T0, TEMPLATES, TOKENS, writeBigRun, writeTemplates } from './dashboard-scripts.mjs';

const root = resolve(import.meta.dirname, '..', '..', '..');
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));
const Database = createRequire(join(root, 'packages', 'store', 'package.json'))('better-sqlite3');

/** Tables with a `run_id` whose rows a clone copies, and their generated key (left to SQLite). */
const TABLES = { runs: null, run_states: null, events: 'event_id', step_attempts: 'id', artifacts: 'id', run_gate_checks: 'id', pr_activity: null, pr_requests: 'id' };
/** Columns whose template value is kept when it names a file that exists (the template's reports). */
const FILE_COLUMNS = new Set(['uri', 'request_file']);
const DAY = 86_400_000;
const WORDS = ['sdk', 'client', 'agent', 'cli', 'server', 'docs', 'plugin', 'core', 'ui', 'api', 'utils', 'bot', 'kit', 'hub', 'engine'];
/** The campaigns of the mix, most runs in the first few (null: runs created before campaigns were recorded). */
export const CAMPAIGNS = ['mem0-integration', 'deps-bump-2026q3', 'docs-polish', 'ci-node-22', 'typescript-strict', 'license-headers', 'security-audit', 'readme-badges', 'py313-support', 'eslint-flat-config', 'pnpm-migration', 'otel-tracing'];

/** A small deterministic PRNG (mulberry32), so two seeds of the same size are the same store. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `owner/repo` of repository `i` (0..repos-1): ~1,500 owners, names that pass the dashboard's GitHub-name check. */
export function repoName(i) {
  return { owner: `org${(i * 7919) % 1500}`, repo: `${WORDS[i % WORDS.length]}-${i}` };
}

/** A skewed pick in 0..n-1 (a few repositories and campaigns hold many runs, as in a real campaign). */
function skewed(rand, n) {
  return Math.min(n - 1, Math.floor(n * rand() ** 2));
}

function pickTemplate(rand, templates, totalWeight) {
  let x = rand() * totalWeight;
  for (const t of templates) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return templates.at(-1);
}

/** The template's rows of each table, each as the plans of the columns to insert (the generated key left out). */
function templatePlans(sqlite, statements, runId) {
  const plans = {};
  for (const [table, key] of Object.entries(TABLES)) {
    const rows = sqlite.prepare(`select * from ${table} where run_id = ?${key ? ` order by ${key}` : ''}`).all(runId);
    plans[table] = rows.map((row) => statements[table].cols.map((col) => columnPlan(col, row[col], runId)));
  }
  return plans;
}

function insertStatements(sqlite) {
  const statements = {};
  for (const table of Object.keys(TABLES)) {
    const key = TABLES[table];
    const cols = sqlite.pragma(`table_info(${table})`).map((c) => c.name).filter((c) => c !== key);
    statements[table] = { cols, stmt: sqlite.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`) };
  }
  return statements;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** The placeholders a template string may hold, and the clone field each becomes. */
const PLACEHOLDERS = (templateRunId) => [
  [templateRunId, 'runId'],
  [TOKENS.owner, 'owner'],
  [TOKENS.repo, 'repo'],
  [TOKENS.campaign, 'campaignText'],
  [String(TOKENS.pr), 'prText'],
];

/**
 * How to make one column's value in a clone, decided once per template row: a constant, a time to shift, the PR
 * number, the campaign, or a string cut at its placeholders (alternating literal text and clone fields).
 */
function columnPlan(column, value, templateRunId) {
  if (typeof value === 'number') return column === 'pr_number' && value === TOKENS.pr ? { kind: 'pr' } : { kind: 'const', value };
  if (typeof value !== 'string' || (FILE_COLUMNS.has(column) && existsSync(value))) return { kind: 'const', value };
  if (column.endsWith('_at') && ISO.test(value)) return { kind: 'time', ms: Date.parse(value) };
  if (column === 'campaign' && value === TOKENS.campaign) return { kind: 'campaign' };
  let parts = [value];
  for (const [token, field] of PLACEHOLDERS(templateRunId)) {
    parts = parts.flatMap((p) => (typeof p !== 'string' || !p.includes(token) ? [p] : p.split(token).flatMap((text, i) => (i === 0 ? [text] : [{ field }, text]))));
  }
  return parts.length === 1 ? { kind: 'const', value } : { kind: 'text', parts, lower: column.endsWith('_key') };
}

/** The value of a planned column in clone `c`. */
function cloneValue(plan, c) {
  switch (plan.kind) {
    case 'const':
      return plan.value;
    case 'pr':
      return c.prNumber;
    case 'campaign':
      return c.campaign;
    case 'time':
      return new Date(plan.ms + c.shift).toISOString();
    case 'text': {
      let out = '';
      for (const p of plan.parts) out += typeof p === 'string' ? p : c[p.field];
      return plan.lower ? out.toLowerCase() : out;
    }
    default:
      throw new Error(`unknown column plan ${plan.kind}`);
  }
}

/** The clone's run id: `run_` and 12 hex digits, like generated ids are unique and sortable enough. */
export const cloneRunId = (i) => `run_${i.toString(16).padStart(12, '0')}`;

/**
 * Checks that the store wrote `to_state` on every applied template event and `last_verdict` on every graded run, and
 * backfills what an older store build left out (so the bench measures the schema the dashboard reads). Returns what
 * it backfilled.
 */
function checkStoreFacts(sqlite, written) {
  const backfilled = { to_state: 0, last_verdict: 0 };
  const setTo = sqlite.prepare('update events set to_state = ? where event_id = ? and to_state is null');
  for (const w of written) for (const [eventId, state] of w.applied) backfilled.to_state += setTo.run(state, eventId).changes;
  backfilled.last_verdict = sqlite
    .prepare(`update run_states set last_verdict = (select a.grade from step_attempts a where a.run_id = run_states.run_id and a.grade is not null order by a.id desc limit 1)
      where last_verdict is null and exists (select 1 from step_attempts a where a.run_id = run_states.run_id and a.grade is not null)`)
    .run().changes;
  return backfilled;
}

/**
 * Creates `<dataDir>/agentpr.db` (migrated by the built store) with `runs` runs: the templates, the big run and
 * clones, over ~5,000 repositories and 12 campaigns, created over the 180 days before `now`. Returns the ids the
 * bench reads and the seeding figures.
 */
export async function seedDashboardStore({ dataDir, runs, repos = 5000, now = Date.now(), seed = 18, log = () => {} }) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dbPath = join(dataDir, 'agentpr.db');
  const reportsDir = join(dataDir, 'reports');
  const t0 = performance.now();
  const opened = await store.openStore({ kind: 'sqlite', path: dbPath });
  let written;
  let big;
  try {
    written = await writeTemplates(opened.db, reportsDir);
    const b = repoName(repos - 1);
    big = await writeBigRun(opened.db, reportsDir, { runId: 'run_big_timeline', ...b, campaign: CAMPAIGNS[0], start: now - 20 * DAY });
    written.push(big);
  } finally {
    await opened.close();
  }
  const apiMs = performance.now() - t0;
  const sqlite = new Database(dbPath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -262144'); // 256 MiB: the indexes being filled stay in memory
  const backfilled = checkStoreFacts(sqlite, written);
  const statements = insertStatements(sqlite);
  const templates = written.filter((w) => w.name).map((w) => {
    const updated = sqlite.prepare('select updated_at from run_states where run_id = ?').get(w.runId).updated_at;
    return { ...w, plans: templatePlans(sqlite, statements, w.runId), span: Date.parse(updated) - TEMPLATE_T0 };
  });
  const rand = prng(seed);
  const totalWeight = templates.reduce((n, t) => n + t.weight, 0);
  const clones = Math.max(0, runs - templates.length - 1);
  let typical;
  let rows = 0;
  const t1 = performance.now();
  const insertChunk = sqlite.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const t = pickTemplate(rand, templates, totalWeight);
      const { owner, repo } = repoName(skewed(rand, repos));
      const campaign = rand() < 0.1 ? null : CAMPAIGNS[skewed(rand, CAMPAIGNS.length)];
      const created = now - t.span - Math.floor(rand() * 180 * DAY);
      const prNumber = 1 + Math.floor(rand() * 4000);
      const c = { runId: cloneRunId(i), owner, repo, campaign, campaignText: campaign ?? '', prNumber, prText: String(prNumber), shift: created - TEMPLATE_T0 };
      if (!typical && t.name === 'DONE') typical = c.runId;
      for (const [table, list] of Object.entries(t.plans)) {
        const { stmt } = statements[table];
        for (const plan of list) {
          stmt.run(plan.map((p) => cloneValue(p, c)));
          rows++;
        }
      }
    }
  });
  for (let from = 0; from < clones; from += 5000) {
    insertChunk(from, Math.min(clones, from + 5000));
    log(`seeded ${Math.min(clones, from + 5000)} of ${clones} cloned runs`);
  }
  const cloneMs = performance.now() - t1;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const total = sqlite.prepare('select count(*) n from runs').get().n;
  const verdicts = Object.fromEntries(sqlite.prepare('select coalesce(last_verdict, \'none\') v, count(*) n from run_states group by 1').all().map((r) => [r.v, r.n]));
  sqlite.close();
  return {
    dbPath,
    dataDir,
    bigRunId: big.runId,
    typicalRunId: typical ?? templates.find((t) => t.name === 'DONE').runId,
    figures: {
      runs: total,
      templates: templates.length,
      cloned_rows: rows,
      api_ms: Math.round(apiMs),
      clone_ms: Math.round(cloneMs),
      runs_per_s: Math.round(clones / (cloneMs / 1000)),
      verdicts,
      backfilled,
    },
  };
}

/** How the seed is mixed, for the report. */
export const TEMPLATE_MIX = Object.fromEntries(TEMPLATES.map((t) => [t.name, t.weight]));
