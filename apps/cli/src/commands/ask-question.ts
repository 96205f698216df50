import * as v from 'valibot';

/** The longest question `agentpr ask` sends, in characters. */
export const MAX_QUESTION_CHARS = 4000;

const QUESTION = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'the question is empty'),
  v.maxLength(MAX_QUESTION_CHARS, `the question is longer than ${MAX_QUESTION_CHARS} characters`),
  v.check((text) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), 'the question holds control characters'),
);

/** A question as typed, checked at the edge: not empty, at most {@link MAX_QUESTION_CHARS}, no control characters. */
export function parseQuestion(raw: string): { ok: true; question: string } | { ok: false; error: string } {
  const parsed = v.safeParse(QUESTION, raw);
  return parsed.success ? { ok: true, question: parsed.output } : { ok: false, error: `ask: ${parsed.issues[0].message}` };
}
