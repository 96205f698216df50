import type { Child } from 'hono/jsx';

/** Props of {@link Facts}. */
export interface FactsProps {
  /** Label and value pairs, in order; a null/undefined value shows `—`. */
  items: ReadonlyArray<readonly [label: string, value: Child]>;
}

/** A label/value list (`<dl class="facts">`): two columns, one on a phone. */
export function Facts({ items }: FactsProps) {
  return (
    <dl class="facts">
      {items.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? <span class="muted">—</span> : value}</dd>
        </>
      ))}
    </dl>
  );
}
