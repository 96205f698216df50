// Engine and model names come from the database, and a model name can come from the agent's own stream: every
// report that prints one cleans and cuts it here first.

/** The longest engine or model name shown (a model name can come from the agent's own stream; real ones are < 40). */
export const ENGINE_LABEL_PART_CHARS = 80;

// C0/C1 controls, the line and paragraph separators and the bidi controls: hostile text must not reorder or hide.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * An engine or model name made safe to print: controls replaced; null when blank. A name longer than
 * {@link ENGINE_LABEL_PART_CHARS} (no real one is) is described, not cut: a cut could keep part of a secret that
 * the redactor downstream, which matches whole secrets, would then miss.
 */
export function cleanEngineName(value: string | null | undefined): string | null {
  const clean = (value ?? '').replace(CONTROLS, '\uFFFD').trim();
  if (!clean) return null;
  const length = Array.from(clean).length;
  return length > ENGINE_LABEL_PART_CHARS ? `[a ${length}-character name]` : clean;
}

/**
 * An attempt's engine and model as one short label, controls replaced and over-long parts described (see
 * {@link cleanEngineName}): `claude · claude-sonnet-4-5`,
 * `codex` (model unknown), `unknown engine` (an attempt recorded before engines were). Still escape it for HTML.
 *
 * @example engineLabel('claude', 'claude-sonnet-4-5') // → 'claude · claude-sonnet-4-5'
 */
export function engineLabel(engine: string | null | undefined, model: string | null | undefined): string {
  const e = cleanEngineName(engine);
  const m = cleanEngineName(model);
  if (e && m) return `${e} · ${m}`;
  if (e) return e;
  return m ? `unknown engine · ${m}` : 'unknown engine';
}
