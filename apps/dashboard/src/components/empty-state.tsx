import type { Child } from 'hono/jsx';

/** Props of {@link EmptyState}. */
export interface EmptyStateProps {
  /** What is empty, e.g. "No runs match these filters." */
  title?: string;
  /** What to do about it (a link to clear filters, the command that creates runs). */
  children?: Child;
}

/** What a list shows when there is nothing in it: says so and what to do, instead of an empty table. */
export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <div class="empty-state">
      {title ? <p>{title}</p> : null}
      {children}
    </div>
  );
}
