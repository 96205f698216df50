import * as v from 'valibot';
import { AgentprError } from '@agentpr/orchestrator';
import { defineTool } from './define-tool.js';
import { REASON_CODE_NOTES } from './reason-code-notes.js';

/** The edit distance between two short strings. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/** Known codes that look like `code`: one contains the other, they share a word, or they are a few edits apart; closest first. */
export function closeReasonCodes(code: string, max = 4): string[] {
  const words = new Set(code.split('_').filter((w) => w.length > 2));
  return Object.keys(REASON_CODE_NOTES)
    .map((known) => {
      const shared = known.split('_').filter((w) => words.has(w)).length;
      const near = known.includes(code) || code.includes(known) ? 0 : distance(code, known);
      return { known, score: near - 3 * shared };
    })
    .filter((c) => c.score <= Math.max(3, Math.floor(c.known.length / 3)))
    .sort((a, b) => a.score - b.score || a.known.localeCompare(b.known))
    .slice(0, max)
    .map((c) => c.known);
}

/** `explain_reason_code`: what a verdict's reason code means and what to do about it. */
export const explainReasonCodeTool = defineTool({
  name: 'explain_reason_code',
  description: "Explain a reason code of the agent's verdict (e.g. test_command_failed): its grade, what it means and what a person should do.",
  tier: 'read',
  effect: 'read',
  args: v.strictObject({
    code: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a reason code in snake_case'), v.description('The reason code, e.g. missing_test_evidence.')),
  }),
  async run(_ctx, input) {
    const note = Object.hasOwn(REASON_CODE_NOTES, input.code) ? REASON_CODE_NOTES[input.code] : undefined;
    if (!note) {
      const close = closeReasonCodes(input.code);
      const hint = close.length > 0 ? `close matches: ${close.join(', ')}` : `known codes: ${Object.keys(REASON_CODE_NOTES).join(', ')}`;
      throw new AgentprError('not_found', `Unknown reason code ${input.code}; ${hint}.`);
    }
    return { data: { code: input.code, ...note }, summary: `${input.code}: ${note.grade}` };
  },
});
