import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { dataDirPaths } from '../../context.js';
import { AgentprError } from '../../errors.js';
import { doctorGate, GATE_PROFILES } from '../run-doctor.js';

// The read_only gate profile (the dashboard): only the store, opened read-only, is checked; no writable directory,
// git, GitHub or network.

afterEach(() => cleanupTempDirs());

/** A data dir whose workspace root cannot be made (a file is in the way) and a PATH without git. */
function readerContext(env: Record<string, string | undefined> = {}) {
  const dataDir = tempDir('agentpr-ro-gate-');
  writeFileSync(join(dataDir, 'not-a-dir'), 'x');
  return { paths: dataDirPaths(dataDir, { workspaceRoot: join(dataDir, 'not-a-dir', 'workspaces') }), env: { PATH: '', ...env } };
}

async function migrated(path: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path });
  await store.close();
}

async function gateFailure(promise: Promise<unknown>): Promise<AgentprError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AgentprError);
  return error as AgentprError;
}

describe('doctorGate read_only', () => {
  it('passes with a readable, current store, checking nothing else (no writable workspace, no git, no network)', async () => {
    const ctx = readerContext();
    await migrated(join(ctx.paths.dataDir, 'agentpr.db'));
    const report = await doctorGate(ctx, 'read_only', {});
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['store.read']);
    expect(report.checks[0]!.detail).toContain('read-only');
    expect(report.skipped).toEqual(['workspace.write', 'cmd.git', 'gh.auth', 'net.*'].map((n) => `${n}: not needed by profile read_only`));
    expect(existsSync(ctx.paths.workspaceRoot)).toBe(false);
  });

  it('fails on a missing store in one line naming store.read and the file, and creates nothing', async () => {
    const ctx = readerContext();
    const error = await gateFailure(doctorGate(ctx, 'read_only', {}));
    expect(error.code).toBe('gate_failed');
    expect(error.message).toMatch(/^startup doctor gate \(profile read_only\) failed: store\.read: database .*agentpr\.db does not exist; .* Run `agentpr doctor` for details\.$/);
    expect(error.message).not.toContain('\n');
    expect(existsSync(join(ctx.paths.dataDir, 'agentpr.db'))).toBe(false);
  });

  it('reads the store the command was pointed at (--db), not the data dir default', async () => {
    const ctx = readerContext();
    const elsewhere = join(tempDir('agentpr-ro-db-'), 'other.db');
    await migrated(elsewhere);
    await expect(doctorGate(ctx, 'read_only', { database: { sqlitePath: elsewhere } })).resolves.toMatchObject({ ok: true });
  });

  it('fails on a PostgreSQL URL nothing answers, naming store.read and not the password', async () => {
    const ctx = readerContext({ AGENTPR_DATABASE_URL: 'postgres://agentpr:pw-secret-123@127.0.0.1:1/agentpr' });
    const error = await gateFailure(doctorGate(ctx, 'read_only', {}));
    expect(error.message).toContain('store.read: cannot connect to PostgreSQL');
    expect(error.message).not.toContain('pw-secret-123');
  });

  it.skipIf(!process.env.AGENTPR_TEST_DATABASE_URL)('passes on a migrated PostgreSQL store', async () => {
    const url = process.env.AGENTPR_TEST_DATABASE_URL!;
    const store = await openStore({ kind: 'postgres', url });
    await store.close();
    await expect(doctorGate(readerContext(), 'read_only', { database: { databaseUrl: url } })).resolves.toMatchObject({ ok: true });
  });

  it('is the only profile that skips the workspace check', () => {
    expect(Object.entries(GATE_PROFILES).filter(([, p]) => p.storeReadOnly).map(([n]) => n)).toEqual(['read_only']);
  });
});
