import type { Child } from 'hono/jsx';

/** Props of {@link Pager}. */
export interface PagerProps {
  /** The link to the next page (build it with `queryHref(url, { cursor })`); null/undefined on the last page. */
  next: string | null | undefined;
  /** The link back (keyset pages go back to the first page); none on the first page. */
  prevHref?: string | undefined;
  prevLabel?: string;
  /** A line before the links, e.g. "Runs 1–50 of 1,234". */
  summary?: Child;
}

/** Page links under a table; renders nothing when there is neither a next nor a previous page nor a summary. */
export function Pager({ next, prevHref, prevLabel = 'First page', summary }: PagerProps) {
  if (!next && !prevHref && summary === undefined) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {summary !== undefined ? <span>{summary}</span> : null}
      {prevHref ? (
        <a href={prevHref} rel="prev">
          {`← ${prevLabel}`}
        </a>
      ) : null}
      {next ? (
        <a href={next} rel="next">
          Next page →
        </a>
      ) : null}
    </nav>
  );
}
