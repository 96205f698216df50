import { chmodSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { makeDirectory } from './directories.js';

afterEach(() => cleanupTempDirs());

describe('makeDirectory', () => {
  it('creates every missing level and accepts an existing directory', () => {
    const root = tempDir('agentpr-mkdir-');
    const deep = join(root, 'a', 'b', 'c');
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(() => makeDirectory(deep)).not.toThrow();
  });

  it('fails with ENOTDIR when a level is a file, creating nothing', () => {
    const root = tempDir('agentpr-mkdir-');
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDirectory(join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirectory(join(root, 'file'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('fails at once under a parent that refuses children (/proc), where recursive mkdir spins forever on Node 20', () => {
    const started = Date.now();
    expect(() => makeDirectory('/proc/agentpr-nope/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync('/proc/agentpr-nope')).toBe(false);
  });

  it('fails with ENOENT through a dangling symlink', () => {
    const root = tempDir('agentpr-mkdir-');
    symlinkSync(join(root, 'gone'), join(root, 'link'));
    expect(() => makeDirectory(join(root, 'link', 'x'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('with mode 0700 under umask 022 makes every created level 0700 and leaves existing levels alone', () => {
    const root = tempDir('agentpr-mkdir-');
    mkdirSync(join(root, 'kept'));
    chmodSync(join(root, 'kept'), 0o755);
    const previous = process.umask(0o022);
    try {
      makeDirectory(join(root, 'kept', 'a', 'b'), { mode: 0o700 });
      makeDirectory(join(root, 'plain'));
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, 'kept')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'kept', 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'kept', 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'plain')).mode & 0o777).toBe(0o755);
  });

  it('with a mode looser than the umask allows still sets it exactly', () => {
    const root = tempDir('agentpr-mkdir-');
    const previous = process.umask(0o077);
    try {
      makeDirectory(join(root, 'shared'), { mode: 0o750 });
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, 'shared')).mode & 0o777).toBe(0o750);
  });
});
