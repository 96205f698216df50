#!/usr/bin/env node
// Sums the vitest JSON reports of every project (written by vitest.shared.ts) and prints the final
// `N passed, N failed` line. Exits 1 when anything failed or when no test ran.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), '.reports', 'vitest');
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    if (report.numFailedTestSuites && !report.numFailedTests) failed += report.numFailedTestSuites;
    for (const suite of report.testResults ?? []) {
      for (const t of suite.assertionResults ?? []) if (t.status === 'failed') failures.push(`${file.replace(/\.json$/, '')}: ${t.fullName}`);
      if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed')) failures.push(`${file.replace(/\.json$/, '')}: ${suite.name} (suite failed to run)`);
    }
  }
}
if (failures.length) console.log(`\nFailed:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
