import { describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS, parseQuestion } from './ask-question.js';

describe('parseQuestion', () => {
  it('trims a question and keeps its newlines and tabs', () => {
    expect(parseQuestion('  which runs\tare stuck?\nand why?  ')).toEqual({ ok: true, question: 'which runs\tare stuck?\nand why?' });
  });

  it.each([
    ['   ', 'ask: the question is empty'],
    ['x'.repeat(MAX_QUESTION_CHARS + 1), `ask: the question is longer than ${MAX_QUESTION_CHARS} characters`],
    ['pause \u001b[2Jeverything', 'ask: the question holds control characters'],
  ])('refuses %j with one line', (raw, error) => {
    expect(parseQuestion(raw)).toEqual({ ok: false, error });
  });
});
