import { describe, expect, it } from 'vitest';
import type { GitHubClient, RepoDirEntry, RepoFile, RepoRef } from '@agentpr/github';
import { capUtf8, contributionDocumentKind, fetchContributionDocuments, sanitizeDocumentText } from './contribution-documents.js';

type Entry = { text: string } | { type: 'symlink' | 'submodule' };

/** A repository as a flat map of paths; directories are implied. Counts the requests a fetch makes. */
function fakeRepo(files: Record<string, Entry>) {
  const calls: string[] = [];
  const entriesOf = (dir: string): RepoDirEntry[] | null => {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Map<string, RepoDirEntry>();
    for (const [path, entry] of Object.entries(files)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const [name, ...deeper] = rest.split('/');
      const type = deeper.length > 0 ? 'dir' : 'type' in entry ? entry.type : 'file';
      names.set(name!, { name: name!, path: `${prefix}${name}`, type, size: 'text' in entry ? entry.text.length : 0 });
    }
    return names.size > 0 || dir === '' ? [...names.values()] : null;
  };
  const github = {
    async listDirectory(_repo: RepoRef, path: string) {
      calls.push(`list ${path || '/'}`);
      return entriesOf(path);
    },
    async getFile(_repo: RepoRef, path: string, options?: { maxBytes?: number }): Promise<RepoFile | null> {
      calls.push(`get ${path}`);
      const entry = files[path];
      if (!entry || !('text' in entry)) return null;
      const max = options?.maxBytes ?? Infinity;
      const text = Buffer.from(entry.text).subarray(0, max).toString('utf8');
      return { path, sha: `sha-${path}`, size: Buffer.byteLength(entry.text), text, truncated: Buffer.byteLength(entry.text) > max, htmlUrl: null };
    },
  } as unknown as GitHubClient;
  return { github, calls };
}

const REPO = { owner: 'acme', repo: 'widgets' };

describe('contributionDocumentKind', () => {
  it.each([
    ['CONTRIBUTING.md', 'contributing'],
    ['.github/contributing.rst', 'contributing'],
    ['docs/CONTRIBUTING.txt', 'contributing'],
    ['CODE_OF_CONDUCT.md', 'code_of_conduct'],
    ['.github/pull_request_template.md', 'pr_template'],
    ['PULL_REQUEST_TEMPLATE.md', 'pr_template'],
    ['.github/PULL_REQUEST_TEMPLATE/bug.md', 'pr_template'],
    ['AI_POLICY.md', 'ai_policy'],
    ['.github/AI_POLICY.md', 'ai_policy'],
    ['LLM_POLICY.md', 'ai_policy'],
    ['docs/AI.md', 'ai_policy'],
    ['docs/ai-guidelines.md', 'ai_policy'],
    ['AGENTS.md', 'agent_instructions'],
    ['CLAUDE.md', 'agent_instructions'],
    ['GEMINI.md', 'agent_instructions'],
    ['.cursorrules', 'agent_instructions'],
    ['.github/copilot-instructions.md', 'agent_instructions'],
    ['.cursor/rules/style.mdc', 'agent_instructions'],
    ['.github/instructions/ts.instructions.md', 'agent_instructions'],
  ])('%s is %s', (path, kind) => {
    expect(contributionDocumentKind(path)).toBe(kind);
  });

  it.each(['README.md', 'src/CONTRIBUTING.md', 'docs/aim.md', 'AGENTS.txt', 'lib/AI_POLICY.md'])('%s is not a contribution document', (path) => {
    expect(contributionDocumentKind(path)).toBeNull();
  });
});

describe('fetchContributionDocuments', () => {
  it('lists the root, .github and docs once, reads only the documents, in kind order, and skips symlinks', async () => {
    const { github, calls } = fakeRepo({
      'README.md': { text: 'readme' },
      'CONTRIBUTING.md': { text: 'Please add tests.' },
      'AGENTS.md': { text: 'Run npm test.' },
      'CLAUDE.md': { type: 'symlink' },
      'src/index.ts': { text: 'code' },
      '.github/AI_POLICY.md': { text: 'AI is welcome.' },
      '.github/PULL_REQUEST_TEMPLATE/feature.md': { text: '## Summary' },
      'docs/guide.md': { text: 'guide' },
    });
    const result = await fetchContributionDocuments(github, REPO);
    expect(result.found).toBe(true);
    expect(result.documents.map((d) => [d.path, d.kind])).toEqual([
      ['.github/AI_POLICY.md', 'ai_policy'],
      ['CONTRIBUTING.md', 'contributing'],
      ['AGENTS.md', 'agent_instructions'],
      ['.github/PULL_REQUEST_TEMPLATE/feature.md', 'pr_template'],
    ]);
    expect(result.skipped).toEqual([{ path: 'CLAUDE.md', reason: 'not_a_regular_file' }]);
    expect(calls.filter((c) => c.startsWith('list')).sort()).toEqual(['list .github', 'list .github/PULL_REQUEST_TEMPLATE', 'list /', 'list docs']);
    expect(calls.filter((c) => c.startsWith('get'))).toHaveLength(4);
    expect(result.requests).toBe(calls.length);
    expect(result.documents[1]).toMatchObject({ sha: 'sha-CONTRIBUTING.md', bytes: 17, text: 'Please add tests.', truncated: false });
  });

  it('caps each document and all of them, strips control characters, and says what it truncated', async () => {
    const { github } = fakeRepo({
      'CONTRIBUTING.md': { text: `A\u0007B\u202eC\r\n${'x'.repeat(100)}` },
      'CODE_OF_CONDUCT.md': { text: 'y'.repeat(100) },
      'AGENTS.md': { text: 'z'.repeat(10) },
    });
    const result = await fetchContributionDocuments(github, REPO, { maxBytes: 60, totalMaxBytes: 90 });
    const [contributing, agents, conduct] = result.documents;
    expect(contributing).toMatchObject({ path: 'CONTRIBUTING.md', truncated: true });
    expect(contributing!.text.startsWith('ABC\n')).toBe(true);
    expect(Buffer.byteLength(contributing!.text)).toBeLessThanOrEqual(60);
    expect(agents).toMatchObject({ path: 'AGENTS.md', text: 'z'.repeat(10), truncated: false });
    expect(conduct).toMatchObject({ path: 'CODE_OF_CONDUCT.md', truncated: true });
    expect(result.documents.reduce((n, d) => n + Buffer.byteLength(d.text), 0)).toBeLessThanOrEqual(90);
  });

  it('skips a document that is binary or not UTF-8 instead of classifying garbage', async () => {
    const { github } = fakeRepo({
      'CONTRIBUTING.md': { text: 'PK\u0003\u0004\u0000\u0000binary zip' },
      'AGENTS.md': { text: '\ufffd\ufffd\ufffd\ufffd\ufffd of something not utf-8 \ufffd\ufffd' },
      '.github/PULL_REQUEST_TEMPLATE.md': { text: '## Description\n' },
    });
    const result = await fetchContributionDocuments(github, { owner: 'o', repo: 'r' });
    expect(result.documents.map((d) => d.path)).toEqual(['.github/PULL_REQUEST_TEMPLATE.md']);
    expect(result.skipped).toEqual(expect.arrayContaining([{ path: 'CONTRIBUTING.md', reason: 'not_text' }, { path: 'AGENTS.md', reason: 'not_text' }]));
  });

  it('says the repository was not found when its root cannot be listed', async () => {
    const github = { listDirectory: async () => null, getFile: async () => null } as unknown as GitHubClient;
    expect(await fetchContributionDocuments(github, REPO)).toEqual({ found: false, documents: [], skipped: [], requests: 1 });
  });

  it('refuses a client that cannot read contents, naming the missing methods', async () => {
    await expect(fetchContributionDocuments({} as GitHubClient, REPO)).rejects.toThrow(/getFile and listDirectory/);
  });
});

describe('hostile text helpers', () => {
  it('sanitizeDocumentText keeps tabs and newlines and drops other controls and bidi overrides', () => {
    expect(sanitizeDocumentText('a\tb\r\nc\u0000d\u202ee\u2066f\ufeff')).toBe('a\tb\ncdef');
  });

  it('capUtf8 never splits a character', () => {
    expect(capUtf8('héé', 2)).toEqual({ text: 'h', truncated: true });
    expect(capUtf8('héé', 5)).toEqual({ text: 'héé', truncated: false });
  });
});
