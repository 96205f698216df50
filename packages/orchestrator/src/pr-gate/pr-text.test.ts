import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unfilledPlaceholders } from './markdown-text.js';
import { checkPrText } from './pr-text-check.js';
import { DEFAULT_PR_BODY_TEMPLATE, fillPlaceholders, parsePrTemplate, renderPrText, renderTitle, type PrTextSources } from './pr-text.js';

// The template the example campaign ships (and the CLI bundles as an asset).
const EXAMPLE = readFileSync(new URL('../../../../campaigns/example/pr_description_template.md', import.meta.url), 'utf8');

const sources = (patch: Partial<PrTextSources> = {}): PrTextSources => ({
  owner: 'octo-org',
  repo: 'widgets',
  runId: 'run_1',
  base: 'main',
  branch: 'agentpr/example-run_1',
  integration: 'example',
  campaignDefaultTitle: 'feat: add example integration',
  commitTitle: 'feat: add example integration',
  agentMessage: 'Status: PASS\nAdded titleCase(text) with a unit test, following src/camel-case.js.\nFiles changed: src/title-case.js, test/title-case.test.js',
  files: [
    { path: 'src/title-case.js', added: 12, deleted: 0 },
    { path: 'test/title-case.test.js', added: 7, deleted: 0 },
  ],
  validation: { grade: 'PASS', reasonCode: 'runtime_success', attemptNo: 1, passed: [{ command: "/bin/bash -c 'npm test'", exit: 0 }], failed: [], waived: [] },
  repoTemplate: null,
  ...patch,
});

describe('parsePrTemplate', () => {
  it('reads the title template from front matter and keeps the rest as the body', () => {
    expect(parsePrTemplate('---\ntitle: "feat({repo}): x"\nother: 1\n---\n## Summary\n')).toEqual({ title: 'feat({repo}): x', body: '## Summary\n' });
    expect(parsePrTemplate("---\ntitle: 'y'\n---\n")).toEqual({ title: 'y', body: '' });
    expect(parsePrTemplate('## Summary\n---\n')).toEqual({ title: null, body: '## Summary\n---\n' });
    expect(parsePrTemplate('---\nno: title\n---\nbody')).toEqual({ title: null, body: 'body' });
  });

  it('fillPlaceholders fills known names only and never re-reads what it inserted', () => {
    expect(fillPlaceholders('{a} {b} \\{a} {constructor}', { a: '{b}', b: null })).toBe('{b} {b} \\{a} {constructor}');
  });
});

describe('renderTitle', () => {
  it("fills the template's title with the repository and the integration", () => {
    expect(renderTitle(parsePrTemplate(EXAMPLE), sources())).toEqual({ title: 'feat(widgets): add example integration', from: 'template' });
  });

  it("without a template title uses the pushed commit's subject when it is specific, else the default title", () => {
    const bare = { title: null, body: DEFAULT_PR_BODY_TEMPLATE };
    expect(renderTitle(bare, sources({ commitTitle: 'feat: add titleCase helper' }))).toEqual({ title: 'feat: add titleCase helper', from: 'commit' });
    expect(renderTitle(bare, sources())).toEqual({ title: 'feat(widgets): add example integration', from: 'default' });
  });

  it('falls back past a generic template title, and returns the first candidate when none is specific', () => {
    expect(renderTitle({ title: 'feat: add example integration', body: '' }, sources()).from).toBe('default');
    const none = renderTitle({ title: 'Update {missing}', body: '' }, sources({ integration: null }));
    expect(none).toEqual({ title: 'Update {missing}', from: 'template' });
  });
});

describe('renderPrText', () => {
  it('renders the example campaign template with the run content: no placeholders, a specific title (issue 15)', () => {
    const text = renderPrText(parsePrTemplate(EXAMPLE), sources());
    expect(text.title).toBe('feat(widgets): add example integration');
    expect(text.body).toContain('## Summary\n\nAdded titleCase(text) with a unit test, following src/camel-case.js.\n\n## Changes');
    expect(text.body).toContain('- `src/title-case.js` (+12 −0)\n- `test/title-case.test.js` (+7 −0)\n\n2 files changed, 19 insertions(+), 0 deletions(−).');
    expect(text.body).toContain('## Validation\n\nChecks run on the change');
    expect(text.body).toContain('- `npm test` — passed (exit 0)');
    expect(text.body).not.toContain('Status: PASS');
    expect(unfilledPlaceholders(text.body)).toEqual([]);
    expect(checkPrText(text, { campaignTitles: ['feat: add example integration'] })).toEqual([]);
    expect(text.repo_template).toBeNull();
  });

  it('summarises from the diff when the agent said nothing beyond its report keys', () => {
    const text = renderPrText(parsePrTemplate(EXAMPLE), sources({ agentMessage: 'Status: PASS' }));
    expect(text.body).toContain('## Summary\n\nThis change touches 2 files in octo-org/widgets (+19 −0 lines)');
  });

  it("merges into the repository's own template and fills a given title into the body", () => {
    const repoTemplate = { path: '.github/PULL_REQUEST_TEMPLATE.md', text: '## What does this PR do?\n<!-- explain -->\n\n## Testing\n- [ ] added tests\n' };
    const text = renderPrText({ title: null, body: 'Title: {title}\n\n## Summary\n{summary}\n\n## Validation\n{validation}\n' }, sources({ repoTemplate }), { title: ' My title ' });
    expect(text).toMatchObject({ title: 'My title', title_from: 'flag', repo_template: '.github/PULL_REQUEST_TEMPLATE.md' });
    expect(text.body.startsWith('## What does this PR do?\n\nAdded titleCase(text)')).toBe(true);
    expect(text.body).toContain('## Testing\n\nChecks run on the change');
    expect(text.body).toContain('- [ ] added tests');
    expect(text.body.endsWith('Title: My title\n')).toBe(true);
  });

  it('leaves unknown placeholders for the check to refuse', () => {
    const text = renderPrText({ title: null, body: '## Summary\n{summary}\n\nTicket: {jira_ticket}\n' }, sources());
    expect(unfilledPlaceholders(text.body)).toEqual(['jira_ticket']);
  });
});
