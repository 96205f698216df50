import { describe, expect, it } from 'vitest';
import { unfilledPlaceholders } from './markdown-text.js';
import { mergeIntoRepoTemplate, sectionKind, type FilledSection } from './repo-pr-template.js';

const ours: FilledSection[] = [
  { heading: '## Summary', title: 'Summary', body: 'Adds titleCase.', kind: 'summary' },
  { heading: '## Changes', title: 'Changes', body: '- `src/title-case.js` (+12 −0)', kind: 'changes' },
  { heading: '## Validation', title: 'Validation', body: '- `npm test` — passed (exit 0)', kind: 'validation' },
  { heading: '## Notes for reviewers', title: 'Notes for reviewers', body: 'Prepared with an agent.', kind: 'other' },
];

describe('sectionKind', () => {
  it.each([
    ['Description', 'summary'],
    ['What does this PR do?', 'summary'],
    ['Why is this change needed?', 'summary'],
    ['Changes made', 'changes'],
    ['How has this been tested?', 'validation'],
    ['Testing', 'validation'],
    ['Type of change', 'other'],
    ['Checklist', 'other'],
    ['Related issues', 'other'],
    ['Screenshots', 'other'],
  ])('%j is about %s', (title, kind) => {
    expect(sectionKind(title)).toBe(kind);
  });
});

describe('mergeIntoRepoTemplate', () => {
  it("fills the repository's sections with ours, keeps its checkboxes and other sections, and appends the rest", () => {
    const repo = [
      'Thanks for contributing!',
      '',
      '## Description',
      '<!-- Describe your change and why. -->',
      'Please include a summary of the change.',
      '',
      '## Type of change',
      '- [ ] Bug fix',
      '- [ ] New feature',
      '',
      '## How has this been tested?',
      '<!-- List the commands. -->',
      '- [ ] I ran the test suite',
      '',
      '## Checklist',
      '- [ ] I have read CONTRIBUTING.md',
    ].join('\n');
    expect(mergeIntoRepoTemplate(repo, ours)).toBe(
      [
        'Thanks for contributing!',
        '',
        '## Description',
        '',
        'Adds titleCase.',
        '',
        '## Type of change',
        '',
        '- [ ] Bug fix',
        '- [ ] New feature',
        '',
        '## How has this been tested?',
        '',
        '- `npm test` — passed (exit 0)',
        '',
        '- [ ] I ran the test suite',
        '',
        '## Checklist',
        '',
        '- [ ] I have read CONTRIBUTING.md',
        '',
        '## Changes',
        '',
        '- `src/title-case.js` (+12 −0)',
        '',
        '## Notes for reviewers',
        '',
        'Prepared with an agent.',
        '',
      ].join('\n'),
    );
  });

  it('reads the template as hostile: controls stripped, its braces escaped so they never pass for our placeholders', () => {
    const merged = mergeIntoRepoTemplate('\x1b]0;title\x07\n## Summary\nFill {summary} in\n\n## Notes\nSee {link}', ours.slice(0, 1));
    expect(merged).not.toContain('\x1b');
    expect(merged).toBe(']0;title\n\n## Summary\n\nAdds titleCase.\n\n## Notes\n\nSee \\{link}\n');
    expect(merged).toContain('See \\{link}');
    expect(unfilledPlaceholders(merged)).toEqual([]);
  });

  it('appends everything after a template without headings', () => {
    expect(mergeIntoRepoTemplate('Fixes #\n- [ ] tests pass', ours.slice(0, 2))).toBe(
      'Fixes #\n- [ ] tests pass\n\n## Summary\n\nAdds titleCase.\n\n## Changes\n\n- `src/title-case.js` (+12 −0)\n',
    );
  });
});
