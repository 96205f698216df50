import type { Child } from 'hono/jsx';

/** A heading level inside `<main>` (the page's `<h1>` is the page's own). */
export type HeadingLevel = 2 | 3 | 4;

/** An `id` from a heading text: lower-case letters, digits and dashes only. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'section'
  );
}

function Heading({ level, id, children }: { level: HeadingLevel; id: string; children: Child }) {
  switch (level) {
    case 2:
      return <h2 id={id}>{children}</h2>;
    case 3:
      return <h3 id={id}>{children}</h3>;
    case 4:
      return <h4 id={id}>{children}</h4>;
    default: {
      const never: never = level;
      return never;
    }
  }
}

/** Props of {@link Section} and {@link Card}. */
export interface SectionProps {
  /** The heading text (a fixed label; put data in the body through `Truncate`). */
  title: string;
  /** Default 2. */
  level?: HeadingLevel;
  /** The heading's id (default: {@link slug} of the title); the section is labelled by it. */
  id?: string;
  children?: Child;
}

/** A `<section>` labelled by its heading. */
export function Section({ title, level = 2, id, children }: SectionProps) {
  const headingId = id ?? slug(title);
  return (
    <section aria-labelledby={headingId}>
      <Heading level={level} id={headingId}>
        {title}
      </Heading>
      {children}
    </section>
  );
}

/** A {@link Section} in a bordered box (default heading level 3), for side-by-side figures and facts; group in `<div class="cards">`. */
export function Card({ title, level = 3, id, children }: SectionProps) {
  const headingId = id ?? `card-${slug(title)}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <Heading level={level} id={headingId}>
        {title}
      </Heading>
      {children}
    </section>
  );
}
