import { describe, expect, it } from 'vitest';
import { checkPrText, genericTitleReason, titleSubject } from './pr-text-check.js';

const rules = { campaignTitles: ['feat: add example integration', 'feat({repo}): add {integration} integration', null] };

describe('genericTitleReason', () => {
  it.each([
    ['', 'blank'],
    ['feat({repo}): add {integration} integration', 'still holds {repo}, {integration}'],
    ['feat: add example integration', "campaign's default title"],
    ['  FEAT:  Add example   integration. ', "campaign's default title"],
    ['fix: update', '"update" does not say'],
    ['WIP', '"wip" does not say'],
    ['chore: agentpr integration for widgets', '"agentpr integration for widgets" does not say'],
    ['feat!: 1234', 'does not say'],
    ['fix(1): update', '"update" does not say'],
  ])('%j is generic (%s)', (title, why) => {
    expect(genericTitleReason(title, rules)).toContain(why);
  });

  it.each(['feat(widgets): add example integration', 'fix(widgets): update', 'feat: add titleCase helper', 'Add widgets support', 'Integrate mem0'])('%j is specific', (title) => {
    expect(genericTitleReason(title, rules)).toBeNull();
  });

  it('the stock subjects apply without a campaign: the issue 15 title is generic anywhere', () => {
    expect(genericTitleReason('feat: add example integration', { campaignTitles: [] })).toContain('does not say what the change does');
  });

  it('titleSubject strips a conventional-commit prefix only', () => {
    expect(titleSubject('feat(api)!: add x')).toBe('add x');
    expect(titleSubject('Add x: y')).toBe('Add x: y');
  });
});

describe('checkPrText', () => {
  it('reports a generic title and a body with unfilled placeholders as DoD checks', () => {
    const problems = checkPrText({ title: 'feat: add example integration', body: '## Summary\n\n{summary}\n\n{changes}' }, rules);
    expect(problems.map((p) => p.code)).toEqual(['pr_title_generic', 'pr_body_placeholders']);
    expect(problems[1]!.message).toBe('the PR body has unfilled placeholders {summary}, {changes}');
  });

  it('passes a specific title and a filled body, braces in code included', () => {
    expect(checkPrText({ title: 'feat(widgets): add titleCase', body: 'Adds `format({x})`.' }, rules)).toEqual([]);
  });
});
