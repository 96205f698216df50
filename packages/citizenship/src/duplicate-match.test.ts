import { describe, expect, it } from 'vitest';
import type { IssueSearchItem } from '@agentpr/github';
import {
  describeMatch,
  duplicateQueries,
  duplicateTerms,
  isOwnBranch,
  matchBranches,
  matchSearchItems,
  SEARCH_MAX_OPERATORS,
  SEARCH_QUERY_MAX_CHARS,
  termMatcher,
} from './duplicate-match.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const REPO = { owner: 'acme', repo: 'widgets' };

function item(patch: Partial<IssueSearchItem>): IssueSearchItem {
  return {
    number: 1,
    title: 'Unrelated',
    body: null,
    htmlUrl: `https://github.com/acme/widgets/issues/${patch.number ?? 1}`,
    state: 'open',
    isPullRequest: false,
    author: 'someone',
    createdAt: '2026-11-01T00:00:00Z',
    closedAt: null,
    merged: false,
    ...patch,
  };
}

/** GitHub counts AND, OR and NOT outside quotes as operators. */
function operators(q: string): number {
  return q.replace(/"[^"]*"/g, '').split(/\s+/).filter((w) => w === 'AND' || w === 'OR' || w === 'NOT').length;
}

describe('duplicateTerms', () => {
  it('takes the keywords and the integration name, deduplicated case-insensitively, quotes and control characters removed', () => {
    const terms = duplicateTerms({ keywords: ['Renovate', 'dependency "dashboard"', 'renovate', 'x\u0007y'], integration_name: 'Renovate Bot' }, 'deps');
    expect(terms).toMatchObject({ source: 'rules', terms: ['Renovate', 'dependency dashboard', 'x y', 'Renovate Bot'] });
  });

  it('derives a phrase from the campaign name when the rules name nothing, and says so', () => {
    const terms = duplicateTerms({ keywords: [], integration_name: null }, 'add-renovate_config');
    expect(terms).toMatchObject({ source: 'campaign', terms: ['add renovate config'] });
    expect(terms.note).toMatch(/campaign's name "add renovate config".*duplicates\.keywords/);
  });

  it('has no terms for the default campaign (or a name without letters): nothing to search for', () => {
    expect(duplicateTerms({ keywords: [], integration_name: null }, 'default')).toMatchObject({ source: 'none', terms: [] });
    expect(duplicateTerms({ keywords: ['  '], integration_name: null }, '---')).toMatchObject({ source: 'none', terms: [] });
    expect(duplicateTerms({ keywords: [], integration_name: null }, null).note).toMatch(/set duplicates\.keywords/);
  });
});

describe('duplicateQueries', () => {
  it('asks for open and recently closed PRs and issues, with the terms quoted and OR-ed', () => {
    const queries = duplicateQueries(REPO, ['renovate', 'dependency dashboard'], { now: NOW, closedWithinDays: 30 });
    expect(queries).toEqual([
      { kind: 'pr', state: 'open', q: 'repo:acme/widgets is:pr is:open "renovate" OR "dependency dashboard"' },
      { kind: 'pr', state: 'closed', q: 'repo:acme/widgets is:pr is:closed closed:>2026-11-06 "renovate" OR "dependency dashboard"' },
      { kind: 'issue', state: 'open', q: 'repo:acme/widgets is:issue is:open "renovate" OR "dependency dashboard"' },
      { kind: 'issue', state: 'closed', q: 'repo:acme/widgets is:issue is:closed closed:>2026-11-06 "renovate" OR "dependency dashboard"' },
    ]);
  });

  it('asks nothing about closed ones when the window is 0 days, and nothing at all without terms', () => {
    expect(duplicateQueries(REPO, ['renovate'], { now: NOW, closedWithinDays: 0 }).map((q) => `${q.kind}:${q.state}`)).toEqual(['pr:open', 'issue:open']);
    expect(duplicateQueries(REPO, [], { now: NOW, closedWithinDays: 90 })).toEqual([]);
  });

  it('keeps every query within 256 characters and 5 operators, however many and long the terms, and searches every term', () => {
    const owner = 'o'.repeat(39);
    const repo = 'r'.repeat(100);
    const terms = [...Array.from({ length: 10 }, (_, i) => `keyword number ${i} ${'w'.repeat(20)}`), `${'long '.repeat(30)}end`];
    const queries = duplicateQueries({ owner, repo }, terms, { now: NOW, closedWithinDays: 3650 });
    expect(queries.length).toBeGreaterThan(4);
    for (const { q } of queries) {
      expect(q.length).toBeLessThanOrEqual(SEARCH_QUERY_MAX_CHARS);
      expect(operators(q)).toBeLessThanOrEqual(SEARCH_MAX_OPERATORS);
      expect(q.startsWith(`repo:${owner}/${repo} is:`)).toBe(true);
    }
    for (let i = 0; i < 10; i++) expect(queries.some((q) => q.q.includes(`keyword number ${i}`))).toBe(true);
    // The over-long phrase is shortened at a word, never dropped.
    expect(queries.some((q) => /"long long/.test(q.q))).toBe(true);
  });

  it('groups at most six terms (five ORs) per query', () => {
    const queries = duplicateQueries(REPO, ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'], { now: NOW, closedWithinDays: 0 });
    expect(queries.map((q) => operators(q.q))).toEqual([5, 5, 0, 0]);
    expect(queries[2]!.q).toBe('repo:acme/widgets is:pr is:open "g7"');
  });

  it('quotes a term that looks like an operator or a qualifier, so it is searched as text', () => {
    const [first] = duplicateQueries(REPO, ['OR', 'label:bug'], { now: NOW, closedWithinDays: 0 });
    expect(first!.q).toBe('repo:acme/widgets is:pr is:open "OR" OR "label:bug"');
    expect(operators(first!.q)).toBe(1);
  });
});

describe('termMatcher', () => {
  it('matches whole words and phrases, case-insensitively, across any white space', () => {
    const match = termMatcher(['renovate', 'dependency dashboard']);
    expect(match('Add Renovate config')).toBe('renovate');
    expect(match('the renovated kitchen')).toBeNull();
    expect(match('our Dependency\n  Dashboard is noisy')).toBe('dependency dashboard');
    expect(match('(renovate)')).toBe('renovate');
    expect(match(null)).toBeNull();
  });

  it('reads a term literally, never as a pattern', () => {
    const match = termMatcher(['c++ (beta)']);
    expect(match('support c++ (beta) builds')).toBe('c++ (beta)');
    expect(match('support cxx beta')).toBeNull();
  });
});

describe('matchSearchItems', () => {
  const options = { terms: ['renovate'], now: NOW, closedWithinDays: 90, ownPrNumbers: [7] };

  it('keeps hits whose title or body names a term, as PR or issue with their state, once per URL', () => {
    const found = matchSearchItems(
      [
        item({ number: 3, title: 'Add Renovate', isPullRequest: true, htmlUrl: 'https://github.com/acme/widgets/pull/3' }),
        item({ number: 4, title: 'Dependencies', body: 'Could we use renovate here?' }),
        item({ number: 3, title: 'Add Renovate', isPullRequest: true, htmlUrl: 'https://github.com/acme/widgets/pull/3' }),
        item({ number: 5, title: 'Something else', body: 'nothing' }),
        item({ number: 6, title: 'renovate: merged', isPullRequest: true, state: 'closed', merged: true, closedAt: '2026-12-01T00:00:00Z' }),
      ],
      options,
    );
    expect(found.map((m) => [m.kind, m.number, m.state, m.matched])).toEqual([
      ['pr', 3, 'open', 'renovate'],
      ['issue', 4, 'open', 'renovate'],
      ['pr', 6, 'merged', 'renovate'],
    ]);
  });

  it('never counts the run\'s own PR, nor one closed before the window (or with no close date)', () => {
    const found = matchSearchItems(
      [
        item({ number: 7, title: 'Add Renovate', isPullRequest: true }),
        item({ number: 8, title: 'renovate', state: 'closed', closedAt: '2026-01-01T00:00:00Z' }),
        item({ number: 9, title: 'renovate', state: 'closed', closedAt: null }),
        item({ number: 10, title: 'renovate', state: 'closed', closedAt: '2026-11-30T00:00:00Z' }),
      ],
      options,
    );
    expect(found.map((m) => m.number)).toEqual([10]);
    // Issue #7 is not the run's PR: only a PR with the run's number is.
    expect(matchSearchItems([item({ number: 7, title: 'renovate' })], options)).toHaveLength(1);
  });

  it('shows a hostile title on one line, capped', () => {
    const [found] = matchSearchItems([item({ title: `renovate\u001b[31m\nrm -rf ${'x'.repeat(500)}` })], options);
    expect(found!.title).not.toMatch(/[\n\u001b]/);
    expect(found!.title.length).toBeLessThanOrEqual(200);
    expect(describeMatch(found!)).toMatch(/^open issue #1 "renovate \[31m rm -rf x+…"$/);
  });
});

describe('matchBranches', () => {
  const own = { runId: 'run_abc123', branches: ['agentpr/20261206-120000-run_abc123'] };
  const options = { terms: ['renovate', 'Dependency Dashboard'], own, branchPrefix: 'agentpr/', repoHtmlUrl: 'https://github.com/acme/widgets' };
  const branch = (name: string) => ({ name, sha: 'a'.repeat(40) });

  it('matches a term slug as whole words of the branch name and links the branch', () => {
    const found = matchBranches([branch('main'), branch('add-renovate-config'), branch('renovated'), branch('feat/dependency_dashboard'), branch('renovate/setup')], options);
    expect(found.map((m) => [m.title, m.matched])).toEqual([
      ['add-renovate-config', 'renovate'],
      ['feat/dependency_dashboard', 'Dependency Dashboard'],
      ['renovate/setup', 'renovate'],
    ]);
    expect(found[2]).toMatchObject({ kind: 'branch', state: 'open', number: null, url: 'https://github.com/acme/widgets/tree/renovate/setup' });
  });

  it('skips the run\'s own branch and any branch naming its run id; the campaign prefix alone never matches', () => {
    const withPrefix = { ...options, branchPrefix: 'renovate/' };
    expect(matchBranches([branch('agentpr/20261206-120000-run_abc123'), branch('renovate/x-run_abc123')], options)).toEqual([]);
    expect(matchBranches([branch('renovate/20261206-000000-run_other')], withPrefix)).toEqual([]);
    expect(matchBranches([branch('renovate/add-renovate')], withPrefix)).toHaveLength(1);
    expect(isOwnBranch('Agentpr/20261206-120000-RUN_ABC123', own)).toBe(true);
    expect(isOwnBranch('run_abc1234', own)).toBe(false);
  });
});
