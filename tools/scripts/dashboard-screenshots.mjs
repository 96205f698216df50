#!/usr/bin/env node
// Regenerates the dashboard screenshots shown in the README (docs/dashboard-*.png): seeds a throwaway data dir with
// the browser tests' seed (apps/dashboard/src/__tests__/seed.ts, loaded through vite as vitest loads it, seeded at
// the current time), runs the BUILT `agentpr-dashboard` (apps/dashboard/dist/bin.js) over it on 127.0.0.1, and has
// Debian's chromium take each page at 1280×800, plus the run page on a phone (390×844). It builds nothing: build
// first (`npm run build`, or `npx nx run @agentpr/dashboard-app:build`), then from the repository root:
//
//   node tools/scripts/dashboard-screenshots.mjs            # writes docs/dashboard-*.png
//   node tools/scripts/dashboard-screenshots.mjs --out DIR  # writes them into DIR instead
//
// The chromium is AGENTPR_CHROMIUM, else /usr/bin/chromium (apt-get install chromium).
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'apps', 'dashboard', 'dist', 'bin.js');
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

/** Starts the built `agentpr-dashboard` on 127.0.0.1 (a free port) over the data dir, read-only as it always is. */
async function startBuiltDashboard(dataDir) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0'], {
    env: { PATH: process.env.PATH, HOME: dataDir, AGENTPR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline !== -1) resolve(out.slice(0, newline));
    });
    void exited.then(({ code }) => reject(new Error(`agentpr-dashboard exited ${code} before listening: ${stderr.trim().split('\n').at(-1) ?? ''}`)));
  });
  const { url } = JSON.parse(line);
  return {
    url: url.replace(/\/$/, ''),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main() {
  if (!existsSync(BIN)) fail(`${BIN} is missing; build first: npm run build`);
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
  // Seeded at the real time: the dashboard runs on the wall clock, so the runs look recent.
  const seeded = await mod.seedDashboardStore(work, { now: new Date(), hostile: false });
  await seeded.close();
  await closeVite();
  const dash = await startBuiltDashboard(seeded.dataDir);
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
