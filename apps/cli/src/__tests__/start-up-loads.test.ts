import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLease, createRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

// Issue 14's start-up target (list-runs and show-run within 1.5× `node -e 0` at 1M runs, tools/bench cli-bench)
// holds only while these commands load little: on an up-to-date SQLite store they read through the read-only fast
// path and must not load kysely, the migration machinery, the orchestrator's use cases or the stream analyser. The
// built binary runs under a module hook that records every module it loads; each bundle chunk is mapped back to its
// sources through its source map.

afterAll(() => cleanupTempDirs());

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const BIN = join(DIST, 'agentpr.js');
const ROOT = resolve(DIST, '..', '..', '..');

/** An ESM hook that appends the URL of every ES module loaded to `$AGENTPR_TEST_LOADS` (CommonJS `require`s bypass it). */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.AGENTPR_TEST_LOADS, url + '\\n');
  return next(url, context);
}`;

/** The sources of everything the command loaded: a dist chunk's through its source map, Node's own as `node:…`, anything else as is. */
async function sourcesLoaded(args: string[], dir: string): Promise<string[]> {
  const hooks = join(dir, 'hooks.mjs');
  const register = join(dir, 'register.mjs');
  const loads = join(dir, `loads-${args[2]}.txt`);
  writeFileSync(hooks, HOOKS);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(loads, '');
  const result = await execa(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: dir, AGENTPR_TEST_LOADS: loads },
    extendEnv: false,
    reject: false,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  const sources = new Set<string>();
  for (const url of readFileSync(loads, 'utf8').split('\n').filter(Boolean)) {
    if (url.startsWith('node:')) sources.add(url);
    if (!url.startsWith('file:')) continue;
    const file = fileURLToPath(url);
    if (!file.startsWith(DIST)) {
      sources.add(relative(ROOT, file));
      continue;
    }
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    for (const source of map.sources) sources.add(relative(ROOT, resolve(dirname(file), source)));
  }
  return [...sources];
}

describe('CLI start-up: what list-runs and show-run load on an up-to-date SQLite store', () => {
  it('reads through the fast path: no kysely, no migrations, no orchestrator use cases, no stream analyser', async () => {
    const dir = tempDir('agentpr-loads-');
    const db = join(dir, 'agentpr.db');
    const store = await openStore({ kind: 'sqlite', path: db });
    try {
      await createRun(store.db, { runId: 'run_l', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(dir, 'ws', 'run_l') });
      await acquireLease(store.db, 'run_l', 'host-a:4242:manager', 60_000);
    } finally {
      await store.close();
    }
    for (const args of [
      ['--db', db, 'list-runs', '--limit', '20', '--json'],
      ['--db', db, 'show-run', '--run-id', 'run_l', '--json'],
    ]) {
      const sources = await sourcesLoaded(args, dir);
      const command = args[2]!;
      // What a fast read must load: the command and the read-only reader.
      expect(sources, command).toContain(`apps/cli/src/commands/${command}.ts`);
      expect(sources, command).toContain('packages/store/src/sqlite-reader.ts');
      // What it must not.
      const heavy = sources.filter(
        (s) =>
          // ~10 ms of start-up on its own (it loads Node's streams); only the servers need it.
          s === 'node:net' ||
          s.includes('node_modules/kysely/') ||
          s === 'packages/store/src/migrate.ts' ||
          s === 'packages/store/src/store.ts' ||
          s === 'packages/orchestrator/src/index.ts' ||
          (s.startsWith('packages/runtime-analysis/src/') && s !== 'packages/runtime-analysis/src/format-duration.ts'),
      );
      expect(heavy, command).toEqual([]);
    }
  });
});
