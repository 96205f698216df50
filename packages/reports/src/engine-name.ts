// Engine and model names come from the database, and a model name can come from the agent's own stream: every
// report that prints one cleans and cuts it here first.

/** The longest engine or model name shown (a model name can come from the agent's own stream). */
export const ENGINE_LABEL_PART_CHARS = 80;

// C0/C1 controls, the line and paragraph separators and the bidi controls: hostile text must not reorder or hide.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** An engine or model name made safe to print: controls replaced, cut to {@link ENGINE_LABEL_PART_CHARS}; null when blank. */
export function cleanEngineName(value: string | null | undefined): string | null {
  const clean = (value ?? '').replace(CONTROLS, '\uFFFD').trim();
  if (!clean) return null;
  const points = Array.from(clean);
  return points.length > ENGINE_LABEL_PART_CHARS ? `${points.slice(0, ENGINE_LABEL_PART_CHARS - 1).join('')}…` : clean;
}

/**
 * An attempt's engine and model as one short label, controls replaced and each part cut: `claude · claude-sonnet-4-5`,
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
