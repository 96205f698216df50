import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { MAX_REPO_TEMPLATE_BYTES, readRepoPrTemplate } from '../read-repo-pr-template.js';

afterAll(() => cleanupTempDirs());

function workspace(files: Record<string, string>): string {
  const dir = tempDir('agentpr-pr-template-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('readRepoPrTemplate', () => {
  it("finds GitHub's places in GitHub's order, in any case", async () => {
    expect(await readRepoPrTemplate(workspace({ 'docs/pull_request_template.md': 'docs', 'PULL_REQUEST_TEMPLATE.md': 'root' }))).toEqual({ kind: 'found', path: 'PULL_REQUEST_TEMPLATE.md', text: 'root' });
    expect(await readRepoPrTemplate(workspace({ '.github/Pull_Request_Template.md': 'gh', 'pull_request_template.md': 'root' }))).toMatchObject({ path: '.github/Pull_Request_Template.md' });
    expect(await readRepoPrTemplate(workspace({ 'docs/pull_request_template.txt': 'txt' }))).toMatchObject({ path: 'docs/pull_request_template.txt', text: 'txt' });
    expect(await readRepoPrTemplate(workspace({ 'README.md': '# x', '.github/PULL_REQUEST_TEMPLATE/feature.md': 'a chooser, not the default' }))).toEqual({ kind: 'none' });
  });

  it('refuses a symlinked template or directory and a template over the size cap, and tries the next place', async () => {
    const outside = workspace({ 'secret.md': 'not for the PR' });
    const linked = workspace({ 'docs/pull_request_template.md': 'docs' });
    symlinkSync(join(outside, 'secret.md'), join(linked, 'pull_request_template.md'));
    expect(await readRepoPrTemplate(linked)).toEqual({ kind: 'found', path: 'docs/pull_request_template.md', text: 'docs' });

    const dirLink = workspace({});
    symlinkSync(outside, join(dirLink, '.github'));
    writeFileSync(join(outside, 'pull_request_template.md'), 'through a symlinked dir');
    expect(await readRepoPrTemplate(dirLink)).toEqual({ kind: 'none' });

    const onlyLink = workspace({});
    symlinkSync(join(outside, 'secret.md'), join(onlyLink, 'pull_request_template.md'));
    expect(await readRepoPrTemplate(onlyLink)).toMatchObject({ kind: 'refused', path: 'pull_request_template.md', reason: expect.stringContaining('symlink') });

    const big = workspace({ '.github/pull_request_template.md': 'x'.repeat(MAX_REPO_TEMPLATE_BYTES + 1) });
    expect(await readRepoPrTemplate(big)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('larger than') });
  });

  it('does not block on a FIFO the agent left in place of the template', async () => {
    const dir = workspace({});
    await execa('mkfifo', [join(dir, 'pull_request_template.md')]);
    expect(await readRepoPrTemplate(dir)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('not a regular file') });
  });
});
