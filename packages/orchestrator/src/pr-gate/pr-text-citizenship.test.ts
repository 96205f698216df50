import { describe, expect, it } from 'vitest';
import { checkPrText } from './pr-text-check.js';
import { MAX_BODY_CHARS } from './pr-text.js';
import { withCitizenship } from './pr-text-citizenship.js';

describe('withCitizenship', () => {
  it('appends "Closes #N" and a short final AI assistance section', () => {
    expect(withCitizenship('## Summary\n\nAdds x.\n', { disclosure: 'Prepared with an AI agent.', issueNumber: 12 })).toBe(
      '## Summary\n\nAdds x.\n\nCloses #12\n\n## AI assistance\n\nPrepared with an AI agent.\n',
    );
    expect(withCitizenship('Adds x.', { disclosure: null, issueNumber: null })).toBe('Adds x.');
    expect(withCitizenship('', { disclosure: 'AI helped.', issueNumber: null })).toBe('## AI assistance\n\nAI helped.\n');
  });

  it('adds nothing the body already has: a closing keyword for the issue, our heading or the disclosure text', () => {
    const body = 'Fixes #12.\n\n## AI Assistance\n\nWritten with help.\n';
    expect(withCitizenship(body, { disclosure: 'Prepared with an AI agent.', issueNumber: 12 })).toBe(body);
    expect(withCitizenship('Resolves: #12\n\nPrepared   with an AI agent.', { disclosure: 'Prepared with an AI agent.', issueNumber: 12 })).toBe('Resolves: #12\n\nPrepared   with an AI agent.');
    // A mention in code or a different number does not count.
    expect(withCitizenship('`closes #12` and closes #120', { disclosure: null, issueNumber: 12 })).toBe('`closes #12` and closes #120\n\nCloses #12\n');
  });

  it('keeps the disclosure from reading as an unfilled placeholder and strips its control characters', () => {
    const body = withCitizenship('Adds x.', { disclosure: 'Made by {agent}\u001b[31m.', issueNumber: null });
    expect(body).toBe('Adds x.\n\n## AI assistance\n\nMade by \\{agent}[31m.\n');
    expect(checkPrText({ title: 'feat(widgets): add x', body }, { campaignTitles: [] })).toEqual([]);
  });

  it("shortens the body, never the appended parts, to stay within GitHub's limit", () => {
    const body = withCitizenship('y'.repeat(MAX_BODY_CHARS), { disclosure: 'AI helped.', issueNumber: 3 });
    expect(body).toHaveLength(MAX_BODY_CHARS);
    expect(body.endsWith('…\n\nCloses #3\n\n## AI assistance\n\nAI helped.\n')).toBe(true);
  });
});
