import type { Child } from 'hono/jsx';

/** A column of a {@link DataTable}. */
export interface Column {
  label: string;
  /** Right-aligned, tabular figures (counts, durations, money); give the `<td>` `class="num"` too. */
  numeric?: boolean;
  /** When the table is sorted by this column: sets `aria-sort`. */
  sort?: 'ascending' | 'descending';
  /** A same-origin link that sorts by this column (build it with `queryHref`). */
  href?: string;
}

/** Props of {@link DataTable}: give `rows` and `row`, or the `<tr>`s as children. */
export interface DataTableProps<T> {
  /** Names the table: its `<caption>` and the label of its scroll region. */
  caption: string;
  /** Hide the caption visually (still read by screen readers) when a heading right above says the same. */
  captionHidden?: boolean;
  columns: readonly Column[];
  rows?: readonly T[];
  /** One `<tr>` per row (cells: `<td>`, numbers `<td class="num">`, a row header `<th scope="row">`). */
  row?: (item: T, index: number) => Child;
  /** Shown instead of the table when `rows` is empty. */
  empty?: Child;
  children?: Child;
}

/**
 * A semantic table: `<caption>`, `<th scope="col">` headers (sortable ones as links with `aria-sort`), inside a
 * focusable, labelled region that scrolls sideways on a phone instead of the page.
 *
 * @example
 * <DataTable caption="Runs" columns={[{ label: 'Run' }, { label: 'State' }]} rows={rows} row={(r) => <tr>…</tr>}
 *   empty={<EmptyState title="No runs match." />} />
 */
export function DataTable<T>({ caption, captionHidden, columns, rows, row, empty, children }: DataTableProps<T>) {
  if (rows && rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <div class="table-scroll" role="region" aria-label={caption} tabindex={0}>
      <table>
        <caption class={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? 'num' : undefined} aria-sort={c.sort}>
                {c.href ? <a href={c.href}>{c.label}</a> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{rows && row ? rows.map((item, i) => row(item, i)) : children}</tbody>
      </table>
    </div>
  );
}
