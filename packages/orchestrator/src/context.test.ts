import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { dataDirExposure, dataDirPaths, prepareDataDir, PRIVATE_DATA_SUBDIRS } from './context.js';

afterAll(() => cleanupTempDirs());

const mode = (path: string) => statSync(path).mode & 0o777;

describe('prepareDataDir', () => {
  it('under umask 022 creates the data dir and its private subfolders 0700', () => {
    const dataDir = join(tempDir('agentpr-ctx-'), 'fresh', 'agentpr');
    const previous = process.umask(0o022);
    try {
      prepareDataDir(dataDirPaths(dataDir));
    } finally {
      process.umask(previous);
    }
    expect(mode(join(dataDir, '..'))).toBe(0o700);
    expect(mode(dataDir)).toBe(0o700);
    for (const name of PRIVATE_DATA_SUBDIRS) expect(mode(join(dataDir, name)), name).toBe(0o700);
    expect(dataDirExposure(dataDir)).toBeUndefined();
  });

  it('leaves an existing data dir mode alone; dataDirExposure then names it and the fix', () => {
    const dataDir = join(tempDir('agentpr-ctx-'), 'old');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    prepareDataDir(dataDirPaths(dataDir));
    expect(mode(dataDir)).toBe(0o755);
    expect(mode(join(dataDir, 'reports'))).toBe(0o700);
    expect(dataDirExposure(dataDir)).toBe(`data directory ${dataDir} has mode 755; other users may read the database and reports. Run: chmod 700 ${dataDir}`);
    expect(dataDirExposure(join(dataDir, 'missing'))).toBeUndefined();
  });
});
