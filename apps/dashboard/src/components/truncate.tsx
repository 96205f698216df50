import { isLonger, safeText } from './safe-text.js';

/** Props of {@link Truncate}. */
export interface TruncateProps {
  text: string | null | undefined;
  /** The most characters shown (code points); longer text ends in `…`. */
  max: number;
  /** Shown when `text` is null, undefined or empty (default `—`). */
  fallback?: string;
  class?: string;
}

/** Texts up to this long travel whole in the `title` tooltip of a cut text; longer ones are not repeated. */
export const TITLE_MAX = 1000;

/**
 * A hostile string shown safely: control and bidi characters replaced, cut at `max`, isolated in `<bdi>` so a
 * right-to-left name cannot reorder the text around it. When cut, the full text is in `title` if it is short
 * ({@link TITLE_MAX}). Use it for every repository, campaign, title, message or evidence line that came from outside.
 *
 * @example <Truncate text={run.last_error} max={120} />
 */
export function Truncate({ text, max, fallback = '—', class: className }: TruncateProps) {
  if (text === null || text === undefined || text === '') return <span class="muted">{fallback}</span>;
  const cut = isLonger(text, max);
  const title = cut && text.length <= TITLE_MAX ? safeText(text, TITLE_MAX) : undefined;
  return (
    <bdi class={className} title={title}>
      {safeText(text, max)}
    </bdi>
  );
}
