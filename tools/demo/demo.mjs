#!/usr/bin/env node
// `npm run demo`: drives one sample run through its life with the built `agentpr` CLI on an embedded
// SQLite database in $AGENTPR_HOME (default ./.agentpr-home), printing each step.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'apps', 'cli', 'dist', 'agentpr.js');
const home = resolve(process.env.AGENTPR_HOME || join(root, '.agentpr-home'));
const db = join(home, 'demo.db');
rmSync(db, { force: true });
rmSync(`${db}-wal`, { force: true });
rmSync(`${db}-shm`, { force: true });
mkdirSync(home, { recursive: true });
const env = { ...process.env, AGENTPR_HOME: home };
const runId = `demo_${Date.now().toString(36)}`;

function agentpr(...args) {
  const shown = `agentpr ${args.join(' ')}`;
  const r = spawnSync(process.execPath, [bin, '--db', db, '--json', ...args], { env, encoding: 'utf8' });
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : {};
  const state = out.state ?? out.run_id ?? (out.ok === false ? `refused: ${out.error}` : '');
  console.log(`$ ${shown}\n    → ${typeof state === 'string' ? state : JSON.stringify(state)}`);
  if (r.status !== 0 && !args.includes('--expect-refusal')) {
    console.error(r.stderr);
    process.exit(r.status ?? 1);
  }
  return out;
}

console.log(`agentpr demo — data in ${home}\n`);
agentpr('init-db');
agentpr('create-run', '--owner', 'octo-org', '--repo', 'widgets', '--prompt-version', 'demo-v1', '--run-id', runId);
agentpr('start-discovery', '--run-id', runId);
agentpr('mark-plan-ready', '--run-id', runId, '--contract-path', join(home, 'contract.md'));
agentpr('start-implementation', '--run-id', runId);
agentpr('mark-local-validated', '--run-id', runId);
agentpr('pause', '--run-id', runId);
agentpr('resume', '--run-id', runId);
console.log('\nFinal state:');
const shown = agentpr('show-run', '--run-id', runId);
console.log(JSON.stringify(shown, null, 2));
console.log(`\nList runs with: node ${bin} --db ${db} list-runs`);
