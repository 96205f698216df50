#!/usr/bin/env node
// Regenerates the dashboard screenshots shown in the README (docs/dashboard-*.png): seeds a throwaway SQLite store
// with the browser tests' seed (apps/dashboard/src/__tests__/seed.ts, loaded through vite as vitest loads it), starts
// the BUILT dashboard (apps/dashboard/dist/index.js) read-only over it on 127.0.0.1 with the seed's clock, and has
// Debian's chromium take each page at 1280×800, plus the runs page on a phone (390×844). It builds nothing: build
// first (`npm run build`, or `npx nx run @agentpr/dashboard-app:build` after the packages), then from the root:
//
//   node tools/scripts/dashboard-screenshots.mjs            # writes docs/dashboard-*.png
//   node tools/scripts/dashboard-screenshots.mjs --out DIR  # writes them into DIR instead
//
// The chromium is AGENTPR_CHROMIUM, else /usr/bin/chromium (apt-get install chromium).
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'apps', 'dashboard', 'dist', 'index.js');
const SEED = join(ROOT, 'apps', 'dashboard', 'src', '__tests__', 'seed.ts');

function fail(message) {
  process.stderr.write(`dashboard-screenshots: ${message}\n`);
  process.exit(1);
}

function outDir() {
  const i = process.argv.indexOf('--out');
  if (i === -1) return join(ROOT, 'docs');
  const dir = process.argv[i + 1];
  if (!dir) fail('--out needs a directory');
  return resolve(dir);
}

/** The seed module, transformed by vite with the `@agentpr/source` condition, as vitest loads it. */
async function loadSeed() {
  const { createServer } = await import('vite');
  const conditions = ['@agentpr/source', 'node', 'import', 'module', 'default'];
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, watch: null },
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    esbuild: { jsx: 'automatic', jsxImportSource: 'hono/jsx' },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  return { seed: await server.ssrLoadModule(SEED), close: () => server.close() };
}

/** The read-only app context the service builds (see apps/dashboard's openTestDeps), on the seed's clock. */
async function dashboardOver(dbPath, dataDir, now) {
  const [dashboard, orchestrator, store] = await Promise.all([import(pathToFileURL(DIST).href), import('@agentpr/orchestrator'), import('@agentpr/store')]);
  const opened = await store.openReadOnlyStore({ kind: 'sqlite', path: dbPath });
  const env = {};
  const clock = () => new Date(now);
  const redactor = orchestrator.createSecretRedactor(env);
  const ports = orchestrator.createAppPorts(env, { clock, redactor, log: orchestrator.silentLogger, overrides: { github: { client: async () => undefined } } });
  const app = { ...ports, db: opened.db, dialect: opened.dialect, clock, paths: orchestrator.dataDirPaths(dataDir), env, log: orchestrator.silentLogger, redactor, actor: 'operator' };
  const running = await dashboard.startDashboard(dashboard.dashboardDeps(app), { host: '127.0.0.1', port: 0, token: undefined, livePollMs: 1000 });
  return { url: running.info.url.replace(/\/$/, ''), close: async () => (await running.close(), await opened.close()) };
}

async function main() {
  if (!existsSync(DIST)) fail(`${DIST} is missing; build first: npm run build`);
  const executablePath = process.env.AGENTPR_CHROMIUM || '/usr/bin/chromium';
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    fail(`chromium not found at ${executablePath}: apt-get install chromium (or set AGENTPR_CHROMIUM)`);
  }
  const out = outDir();
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'agentpr-dash-shots-'));
  const { seed: mod, close: closeVite } = await loadSeed();
  const seeded = await mod.seedDashboardStore(work);
  await seeded.close();
  await closeVite();
  const dash = await dashboardOver(seeded.dbPath, seeded.dataDir, mod.SEED_NOW);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const ids = mod.SEED_RUN_IDS;
  const shots = [
    ['dashboard-runs.png', '/'],
    ['dashboard-run.png', `/runs/${ids.iterating}`],
    ['dashboard-approvals.png', '/approvals'],
    ['dashboard-bottlenecks.png', '/bottlenecks?window=7d'],
    ['dashboard-campaign.png', `/campaigns/${encodeURIComponent(mod.SEED_CAMPAIGNS.deps)}`],
    ['dashboard-webhook.png', '/webhook'],
  ];
  try {
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    for (const [file, path] of shots) {
      const response = await desktop.goto(`${dash.url}${path}`, { waitUntil: 'load' });
      if (response?.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
      await desktop.screenshot({ path: join(out, file) });
      process.stdout.write(`${join(out, file)}\n`);
    }
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light' });
    await phone.goto(`${dash.url}/runs/${ids.iterating}`, { waitUntil: 'load' });
    await phone.screenshot({ path: join(out, 'dashboard-phone.png') });
    process.stdout.write(`${join(out, 'dashboard-phone.png')}\n`);
  } finally {
    await browser.close();
    await dash.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
