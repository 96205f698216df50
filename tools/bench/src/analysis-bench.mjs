#!/usr/bin/env node
// Runtime-analysis benchmark: the streaming analyser against a bare `readline` + `JSON.parse` loop over the
// same large event stream, each measured in its own child process (throughput and peak RSS).
//
//   cd packages/runtime-analysis && npx tsup        # the bench imports the BUILT dist
//   node tools/bench/src/analysis-bench.mjs [--size-mb 512] [--rounds 2] [--keep FILE] [--json]
//
// The stream is built by repeating every fixture in tools/fixtures (codex-events and the codex 0.169
// captures) until it reaches --size-mb, written to a temp file that is removed afterwards.
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const FIXTURES = resolve(repoRoot, 'tools/fixtures');
const TARGET_RATIO = 0.8;
const TARGET_RSS_MB = 100;

function fixtureText() {
  const parts = [];
  const events = join(FIXTURES, 'codex-events');
  for (const f of readdirSync(events).sort()) parts.push(readFileSync(join(events, f), 'utf8'));
  const captures = join(FIXTURES, 'codex-0.169-captures');
  for (const d of readdirSync(captures).sort()) parts.push(readFileSync(join(captures, d, 'stdout.jsonl'), 'utf8'));
  return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}

async function buildStream(file, sizeBytes) {
  const block = Buffer.from(fixtureText(), 'utf8');
  const out = createWriteStream(file);
  let written = 0;
  while (written < sizeBytes) {
    if (!out.write(block)) await new Promise((r) => out.once('drain', r));
    written += block.length;
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return { bytes: written, blockBytes: block.length, repeats: Math.ceil(sizeBytes / block.length) };
}

// ---- children -------------------------------------------------------------------------------------------

async function childBare(file) {
  const start = process.hrtime.bigint();
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1024 * 1024 }), crlfDelay: Infinity });
  let lines = 0;
  let parsed = 0;
  for await (const line of rl) {
    lines++;
    if (line.length === 0) continue;
    try {
      JSON.parse(line);
      parsed++;
    } catch {
      // malformed lines are counted by the analyser; the bare loop just skips them
    }
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { lines, parsed, ms };
}

async function childAnalyze(file) {
  const { analyzeEventStream } = await import('@agentpr/runtime-analysis');
  const start = process.hrtime.bigint();
  const a = await analyzeEventStream(file, { allowlist: ['\\.dexter/gateway-debug\\.log'], workspaceDir: '/RUN/ws' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    lines: a.summary.jsonl_line_count,
    parsed: a.summary.parsed_event_count,
    ms,
    executions: a.summary.command_event_count,
    distinct_commands: a.command_count,
    test_commands: a.test_commands.length,
    failed_test_commands: a.failed_test_command_count,
  };
}

async function runChild(mode, file) {
  const result = mode === 'bare' ? await childBare(file) : await childAnalyze(file);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ mode, ...result, peak_rss_mb: Math.round(peakRssMb * 10) / 10 })}\n`);
}

// ---- parent ---------------------------------------------------------------------------------------------

async function measure(mode, file) {
  const { execa } = await import('execa');
  const r = await execa(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, '--file', file], { cwd: here, timeout: 30 * 60_000, stdin: 'ignore' });
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function mbps(bytes, ms) {
  return bytes / (1024 * 1024) / (ms / 1000);
}

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      file: { type: 'string' },
      'size-mb': { type: 'string', default: '512' },
      rounds: { type: 'string', default: '2' },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.child) return runChild(values.child, values.file);

  const sizeMb = Number(values['size-mb']);
  const rounds = Math.max(1, Number(values.rounds));
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error(`--size-mb must be a positive number, got ${values['size-mb']}`);
  if (!existsSync(FIXTURES)) throw new Error(`fixtures not found at ${FIXTURES}`);
  const dir = values.keep ? undefined : mkdtempSync(join(tmpdir(), 'agentpr-analysis-bench-'));
  const file = values.keep ?? join(dir, 'stream.jsonl');
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const built = values.keep && existsSync(file) ? { bytes: statSync(file).size, blockBytes: 0, repeats: 0 } : await buildStream(file, sizeMb * 1024 * 1024);
    const results = { bare: [], analyze: [] };
    for (let i = 0; i < rounds; i++) {
      // alternate the order so page-cache warmth favours neither side
      for (const mode of i % 2 === 0 ? ['bare', 'analyze'] : ['analyze', 'bare']) results[mode].push(await measure(mode, file));
    }
    const best = (list) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
    const bare = best(results.bare);
    const analyze = best(results.analyze);
    const ratio = mbps(built.bytes, analyze.ms) / mbps(built.bytes, bare.ms);
    const peakAnalyze = Math.max(...results.analyze.map((r) => r.peak_rss_mb));
    const peakBare = Math.max(...results.bare.map((r) => r.peak_rss_mb));
    const summary = {
      node: process.version,
      stream_mb: Math.round((built.bytes / (1024 * 1024)) * 10) / 10,
      lines: analyze.lines,
      rounds,
      bare: { best_ms: Math.round(bare.ms), mb_per_s: Math.round(mbps(built.bytes, bare.ms) * 10) / 10, peak_rss_mb: peakBare },
      analyzer: {
        best_ms: Math.round(analyze.ms),
        mb_per_s: Math.round(mbps(built.bytes, analyze.ms) * 10) / 10,
        peak_rss_mb: peakAnalyze,
        executions: analyze.executions,
        distinct_commands: analyze.distinct_commands,
      },
      throughput_ratio: Math.round(ratio * 100) / 100,
      targets: { ratio_min: TARGET_RATIO, rss_max_mb: TARGET_RSS_MB, ratio_ok: ratio >= TARGET_RATIO, rss_ok: peakAnalyze <= TARGET_RSS_MB },
      all_rounds: results,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      process.stdout.write(
        [
          `stream: ${summary.stream_mb} MB, ${summary.lines} lines (fixtures repeated), node ${summary.node}, best of ${rounds}`,
          `bare readline+JSON.parse: ${summary.bare.best_ms} ms, ${summary.bare.mb_per_s} MB/s, peak RSS ${summary.bare.peak_rss_mb} MB`,
          `runtime analyser:         ${summary.analyzer.best_ms} ms, ${summary.analyzer.mb_per_s} MB/s, peak RSS ${summary.analyzer.peak_rss_mb} MB`,
          `throughput ratio ${summary.throughput_ratio} (target ≥ ${TARGET_RATIO}: ${summary.targets.ratio_ok ? 'ok' : 'MISSED'}), analyser peak RSS ${peakAnalyze} MB (target ≤ ${TARGET_RSS_MB}: ${summary.targets.rss_ok ? 'ok' : 'MISSED'})`,
        ].join('\n') + '\n',
      );
    }
    if (!summary.targets.ratio_ok || !summary.targets.rss_ok) process.exitCode = 1;
  } finally {
    cleanup();
  }
}

await main();
