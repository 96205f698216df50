import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AiStance } from '@agentpr/policy';
import { classifyAiStance, EVIDENCE_MAX, QUOTE_MAX_CHARS, STANCE_PRECEDENCE, STANCE_RULES } from './ai-stance.js';

const stanceOf = (text: string, path = 'CONTRIBUTING.md') => classifyAiStance([{ path, text }]).stance;

describe('classifyAiStance', () => {
  it.each<[string, AiStance]>([
    ['We do not accept AI-generated contributions.', 'forbidden'],
    ['Pull requests containing code written by ChatGPT or Copilot will be closed.', 'forbidden'],
    ['The use of LLMs for code is strictly prohibited.', 'forbidden'],
    ['Automated pull requests from bots and agents are not welcome here.', 'forbidden'],
    ['PRs that use AI must reference an approved issue.', 'issue_first'],
    ['All pull requests must be linked to an approved issue.', 'issue_first'],
    ['If you use an LLM, you must disclose it in the PR description.', 'disclosure_required'],
    ['AI-assisted contributions must be clearly labelled.', 'disclosure_required'],
    ['AI-assisted contributions are welcome.', 'allowed'],
    ['Please include tests with every change.', 'unknown'],
  ])('reads %j as %s', (text, stance) => {
    expect(stanceOf(text)).toBe(stance);
  });

  it('does not read a negated ban as a ban: "we do not forbid AI" and "AI tools are not banned" are allowed', () => {
    expect(stanceOf('We do not forbid AI-assisted contributions.')).toBe('allowed');
    expect(stanceOf('AI tools are not banned in this project; they are welcome.')).toBe('allowed');
    expect(stanceOf('Using Copilot is not prohibited.')).toBe('allowed');
  });

  it('reads "AI is not welcome" as forbidden, not as allowed', () => {
    expect(stanceOf('AI-generated code is not welcome here.')).toBe('forbidden');
  });

  it('finds nothing in a project that is an AI library but says nothing about AI contributions', () => {
    const text = [
      '# Contributing to llm-kit',
      '',
      'llm-kit is a library for calling large language models such as Claude and ChatGPT from Python.',
      'AI agents built on llm-kit can call tools. The model client is generated from the OpenAPI description.',
      '',
      'Pull requests are welcome. Please run the tests before opening one.',
    ].join('\n');
    expect(classifyAiStance([{ path: 'CONTRIBUTING.md', text }])).toEqual({ stance: 'unknown', evidence: [], alsoMatched: [] });
  });

  it('does not read a ban of unreviewed or low-quality output as a ban of AI', () => {
    expect(stanceOf('Do not submit AI-generated code you have not reviewed. Unreviewed LLM output will be closed.')).toBe('unknown');
    expect(stanceOf('Low-quality AI slop PRs are not accepted.')).toBe('unknown');
  });

  it('does not read a rule about AI-generated images or media as a rule about code', () => {
    expect(stanceOf('AI-generated images and artwork are not accepted.')).toBe('unknown');
    expect(stanceOf('No AI-generated media or text (other than code) is allowed.')).toBe('unknown');
  });

  it('does not read a disclosure asked of bug reports or translations as a disclosure asked of PRs', () => {
    expect(stanceOf('If an AI tool found the bug, you must reveal it and you must disclose this in your report.')).toBe('unknown');
    expect(stanceOf('If you use an LLM to translate, you should state it in your comment.')).toBe('unknown');
  });

  it('does not read an encouragement or a preference as a requirement', () => {
    expect(stanceOf('When AI generated much of a change, we encourage you to note this in the PR description.')).toBe('unknown');
  });

  it('ignores what a document says about other projects under a References heading', () => {
    expect(stanceOf('# Our rules\n\nPlease add tests.\n\n## References\n\n- [QEMU bans use of AI content generators][q]\n')).toBe('unknown');
  });

  it('reads a rule under an AI heading as a rule about AI, and "such tools" as AI there', () => {
    expect(stanceOf('## Use of AI\n\nPull requests must reference an accepted issue.')).toBe('issue_first');
    expect(stanceOf('## AI policy\n\nWe ask contributors to refrain from submitting code made with such tools.')).toBe('forbidden');
    expect(stanceOf('## Tools\n\nWe ask contributors to refrain from submitting code made with such tools.')).toBe('unknown');
  });

  it('reads a list item under an AI lead-in as a rule about AI', () => {
    const text = 'If you use AI tools to write code for a contribution:\n\n- Disclose the tool you used in the PR.\n- Test it.\n';
    expect(stanceOf(text)).toBe('disclosure_required');
  });

  it('does not need a general "please open an issue first for non-trivial changes" to mean issue first', () => {
    expect(stanceOf('Before opening a non-trivial pull request, please open an issue to discuss it.')).toBe('unknown');
  });

  it('takes the strongest stance found in any document and quotes its sentences with their paths', () => {
    const result = classifyAiStance([
      { path: 'CONTRIBUTING.md', text: 'AI-assisted contributions are welcome.\n\nAll AI usage must be disclosed in the PR.' },
      { path: '.github/AI_POLICY.md', kind: 'ai_policy', text: 'Pull requests created by AI can only be for accepted issues.' },
    ]);
    expect(result.stance).toBe('issue_first');
    expect(result.evidence).toEqual([{ path: '.github/AI_POLICY.md', quote: 'Pull requests created by AI can only be for accepted issues.', rule: 'ai_prs_need_issue' }]);
    expect(result.alsoMatched).toEqual(['disclosure_required', 'allowed']);
  });

  it('quotes at most EVIDENCE_MAX sentences of at most QUOTE_MAX_CHARS characters, each a substring of its document', () => {
    const long = `We do not accept AI-generated code ${'because of licensing concerns and review load '.repeat(12)}at all.`;
    const text = [long, ...Array.from({ length: 8 }, (_, i) => `Rule ${i}: we do not accept contributions written by LLMs.`)].join('\n\n');
    const result = classifyAiStance([{ path: 'CONTRIBUTING.md', text }]);
    expect(result.stance).toBe('forbidden');
    expect(result.evidence).toHaveLength(EVIDENCE_MAX);
    for (const e of result.evidence) {
      expect(text).toContain(e.quote);
      expect(e.quote.length).toBeLessThanOrEqual(QUOTE_MAX_CHARS);
    }
  });

  it('skips fenced code blocks: an example disclosure is not a rule', () => {
    expect(stanceOf('Example commit:\n\n```\nYou must disclose AI usage.\n```\n')).toBe('unknown');
  });

  it('is deterministic and has a unique name for every rule', () => {
    const text = 'We welcome AI tools. All AI usage must be disclosed.';
    expect(classifyAiStance([{ path: 'a', text }])).toEqual(classifyAiStance([{ path: 'a', text }]));
    expect(new Set(STANCE_RULES.map((r) => r.name)).size).toBe(STANCE_RULES.length);
    expect(STANCE_PRECEDENCE).toEqual(['forbidden', 'issue_first', 'disclosure_required', 'allowed', 'unknown']);
  });

  it('has every rule documented in the package README, with its stance', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const rule of STANCE_RULES) expect(readme, rule.name).toMatch(new RegExp(`\\| \`${rule.name}\` \\| ${rule.stance} \\|`));
  });
});
