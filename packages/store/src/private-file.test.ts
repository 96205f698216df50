import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { openStore } from './store.js';
import { openSqliteDeliveryWriter } from './webhook-deliveries.js';
import { createPrivateDatabaseFile } from './private-file.js';

afterAll(() => cleanupTempDirs());

const mode = (path: string) => statSync(path).mode & 0o777;

function underUmask022<T>(fn: () => T): T {
  const previous = process.umask(0o022);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

describe('SQLite file modes', () => {
  it('openStore under umask 022 creates the database, its -wal and -shm 0600 and a missing directory 0700', async () => {
    const file = join(tempDir('agentpr-modes-'), 'data', 'agentpr.db');
    const previous = process.umask(0o022);
    const store = await openStore({ kind: 'sqlite', path: file }).finally(() => process.umask(previous));
    try {
      expect(mode(join(file, '..'))).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path), path).toBe(true);
        expect(mode(path), path).toBe(0o600);
      }
    } finally {
      await store.close();
    }
  });

  it('openSqliteDeliveryWriter under umask 022 creates a missing database 0600', () => {
    const file = join(tempDir('agentpr-modes-'), 'deliveries.db');
    const writer = underUmask022(() => openSqliteDeliveryWriter(file));
    try {
      expect(mode(file)).toBe(0o600);
      for (const path of [`${file}-wal`, `${file}-shm`]) if (existsSync(path)) expect(mode(path), path).toBe(0o600);
    } finally {
      writer.close();
    }
  });

  it('createPrivateDatabaseFile leaves an existing file, its content and its mode alone', () => {
    const dir = tempDir('agentpr-modes-');
    mkdirSync(join(dir, 'd'));
    const file = join(dir, 'd', 'agentpr.db');
    writeFileSync(file, 'kept');
    chmodSync(file, 0o640);
    createPrivateDatabaseFile(file);
    expect(mode(file)).toBe(0o640);
    expect(statSync(file).size).toBe(4);
  });
});
