import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { copyAgentFile, readAgentFile, writeOwnFile } from '../index.js';

afterEach(() => cleanupTempDirs());

/** A runtime dir the agent controls, a secret outside it, and agentpr's own reports dir. */
function layout() {
  const runtime = tempDir('agentpr-runtime-');
  const outside = tempDir('agentpr-outside-');
  const reports = tempDir('agentpr-reports-');
  writeFileSync(join(outside, 'secret.txt'), 'operator secret\n');
  return { runtime, outside, reports };
}

describe('readAgentFile', () => {
  it('readAgentFile reads a regular file inside `within` whole when it fits', async () => {
    const { runtime } = layout();
    mkdirSync(join(runtime, 'sub'));
    writeFileSync(join(runtime, 'sub', 'last.txt'), 'hello\n');
    const read = await readAgentFile(join(runtime, 'sub', 'last.txt'), { maxBytes: 6, within: runtime });
    expect(read).toMatchObject({ ok: true, truncated: false, size: 6 });
    expect(read.ok && read.data.toString()).toBe('hello\n');
  });

  it('readAgentFile of a file larger than maxBytes returns its head and truncated', async () => {
    const { runtime } = layout();
    writeFileSync(join(runtime, 'big.txt'), 'x'.repeat(10_000));
    const read = await readAgentFile(join(runtime, 'big.txt'), { maxBytes: 100 });
    expect(read).toMatchObject({ ok: true, truncated: true, size: 10_000 });
    expect(read.ok && read.data.length).toBe(100);
  });

  it('readAgentFile refuses a symlink to a file outside, with or without `within`', async () => {
    const { runtime, outside } = layout();
    symlinkSync(join(outside, 'secret.txt'), join(runtime, 'last.txt'));
    for (const within of [undefined, runtime]) {
      const read = await readAgentFile(join(runtime, 'last.txt'), { maxBytes: 1000, ...(within ? { within } : {}) });
      expect(read).toMatchObject({ ok: false, code: 'symlink' });
      expect(!read.ok && read.message).not.toContain('\n');
    }
  });

  it('readAgentFile with `within` refuses a symlinked parent directory and a path outside', async () => {
    const { runtime, outside } = layout();
    symlinkSync(outside, join(runtime, 'reports'));
    expect(await readAgentFile(join(runtime, 'reports', 'secret.txt'), { maxBytes: 1000, within: runtime })).toMatchObject({ ok: false, code: 'symlink' });
    expect(await readAgentFile(join(outside, 'secret.txt'), { maxBytes: 1000, within: runtime })).toMatchObject({ ok: false, code: 'outside' });
    expect(await readAgentFile(join(runtime, '..', 'x', 'secret.txt'), { maxBytes: 1000, within: runtime })).toMatchObject({ ok: false, code: 'outside' });
  });

  it('readAgentFile refuses a FIFO without blocking, a directory, and a missing file', async () => {
    const { runtime } = layout();
    await execa('mkfifo', [join(runtime, 'fifo')]);
    mkdirSync(join(runtime, 'dir'));
    expect(await readAgentFile(join(runtime, 'fifo'), { maxBytes: 10, within: runtime })).toMatchObject({ ok: false, code: 'not_regular' });
    expect(await readAgentFile(join(runtime, 'dir'), { maxBytes: 10 })).toMatchObject({ ok: false, code: 'not_regular' });
    expect(await readAgentFile(join(runtime, 'missing'), { maxBytes: 10, within: runtime })).toMatchObject({ ok: false, code: 'not_found' });
  });
});

describe('writeOwnFile and copyAgentFile', () => {
  it('copyAgentFile copies at most maxBytes into a new 0600 file in agentpr\'s directory', async () => {
    const { runtime, reports } = layout();
    writeFileSync(join(runtime, 'report.json'), '{"a":1}');
    const copied = await copyAgentFile(join(runtime, 'report.json'), reports, 'run_1-report.json', { maxBytes: 4, within: runtime });
    expect(copied).toMatchObject({ ok: true, path: join(reports, 'run_1-report.json'), bytes: 4, truncated: true });
    expect(readFileSync(join(reports, 'run_1-report.json'), 'utf8')).toBe('{"a"');
    expect(statSync(join(reports, 'run_1-report.json')).mode & 0o777).toBe(0o600);
  });

  it('copyAgentFile refuses an existing destination and a symlink placed there first, writing through neither', async () => {
    const { runtime, outside, reports } = layout();
    writeFileSync(join(runtime, 'report.json'), 'agent text');
    writeFileSync(join(reports, 'taken.json'), 'mine');
    symlinkSync(join(outside, 'secret.txt'), join(reports, 'link.json'));
    symlinkSync(join(outside, 'nothing-yet.txt'), join(reports, 'dangling.json'));
    for (const name of ['taken.json', 'link.json', 'dangling.json']) {
      expect(await copyAgentFile(join(runtime, 'report.json'), reports, name, { maxBytes: 100 })).toMatchObject({ ok: false, code: 'exists' });
    }
    expect(readFileSync(join(reports, 'taken.json'), 'utf8')).toBe('mine');
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('operator secret\n');
    expect(() => lstatSync(join(outside, 'nothing-yet.txt'))).toThrow();
  });

  it('copyAgentFile of a symlinked source refuses and creates nothing', async () => {
    const { runtime, outside, reports } = layout();
    symlinkSync(join(outside, 'secret.txt'), join(runtime, 'report.json'));
    expect(await copyAgentFile(join(runtime, 'report.json'), reports, 'r.json', { maxBytes: 100 })).toMatchObject({ ok: false, code: 'symlink' });
    expect(() => lstatSync(join(reports, 'r.json'))).toThrow();
  });

  it('writeOwnFile refuses a name that is not one path component', async () => {
    const { reports } = layout();
    for (const name of ['', '.', '..', 'a/b', '../x']) expect(await writeOwnFile(reports, name, 'x')).toMatchObject({ ok: false, code: 'invalid_name' });
    expect(await writeOwnFile(reports, 'ok.txt', 'x')).toMatchObject({ ok: true, bytes: 1 });
  });
});
