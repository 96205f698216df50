import { describe, expect, it } from 'vitest';
import { compileSearch, SearchQueryError, type Searchable } from './search-query.js';

const item = (over: Partial<Searchable> = {}): Searchable => ({
  kind: 'pr',
  owner: 'Acme',
  repo: 'Widgets',
  title: 'Add Example integration',
  body: 'This adds the example provider.',
  author: 'someone',
  state: 'open',
  merged: false,
  draft: false,
  labels: [],
  comments: [],
  createdAt: '2026-03-10T12:00:00Z',
  closedAt: null,
  mergedAt: null,
  updatedAt: '2026-03-10T12:00:00Z',
  ...over,
});

const matches = (q: string, over: Partial<Searchable> = {}) => compileSearch(q)(item(over));

describe('compileSearch', () => {
  it('repo:, is:pr / is:issue, is:open / is:closed / is:merged match the item facts, case-insensitively', () => {
    expect(matches('repo:acme/widgets is:pr is:open')).toBe(true);
    expect(matches('repo:acme/other')).toBe(false);
    expect(matches('repo:acme/other repo:ACME/WIDGETS')).toBe(true);
    expect(matches('is:issue')).toBe(false);
    expect(matches('is:issue', { kind: 'issue' })).toBe(true);
    expect(matches('is:closed')).toBe(false);
    expect(matches('is:merged', { state: 'closed', merged: true, closedAt: '2026-03-11T00:00:00Z' })).toBe(true);
    expect(matches('is:unmerged', { state: 'closed', closedAt: '2026-03-11T00:00:00Z' })).toBe(true);
    expect(matches('-is:merged')).toBe(true);
  });

  it('bare words and quoted phrases must all appear (AND), in title and body by default or where in: says', () => {
    expect(matches('example PROVIDER')).toBe(true);
    expect(matches('example missing')).toBe(false);
    expect(matches('"example integration"')).toBe(true);
    expect(matches('"integration example"')).toBe(false);
    expect(matches('provider in:title')).toBe(false);
    expect(matches('provider in:body')).toBe(true);
    expect(matches('provider in:title,body')).toBe(true);
    expect(matches('"thanks" in:comments', { comments: ['Thanks!'] })).toBe(true);
  });

  it('OR separates alternatives and NOT / - negate a term', () => {
    expect(matches('missing OR provider')).toBe(true);
    expect(matches('missing OR absent')).toBe(false);
    expect(matches('example NOT provider')).toBe(false);
    expect(matches('example -absent')).toBe(true);
  });

  it('date qualifiers compare whole UTC days for dates and instants for times', () => {
    expect(matches('created:>2026-03-09')).toBe(true);
    expect(matches('created:>2026-03-10')).toBe(false);
    expect(matches('created:>=2026-03-10')).toBe(true);
    expect(matches('created:<2026-03-10')).toBe(false);
    expect(matches('created:<=2026-03-10')).toBe(true);
    expect(matches('created:2026-03-10')).toBe(true);
    expect(matches('created:2026-03-01..2026-03-09')).toBe(false);
    expect(matches('created:2026-03-01..*')).toBe(true);
    expect(matches('created:>2026-03-10T11:59:59Z')).toBe(true);
    expect(matches('closed:>2026-01-01')).toBe(false);
    expect(matches('closed:>2026-01-01', { state: 'closed', closedAt: '2026-02-01T00:00:00Z' })).toBe(true);
  });

  it('refuses what GitHub refuses and what the stub does not understand, so no test passes on an ignored term', () => {
    expect(() => compileSearch('x'.repeat(257))).toThrow(SearchQueryError);
    expect(() => compileSearch('a OR b OR c OR d OR e OR f OR g')).toThrow(/five/);
    expect(() => compileSearch('milestone:v1')).toThrow(/milestone/);
    expect(() => compileSearch('created:>yesterday')).toThrow(/not a date/);
  });
});
