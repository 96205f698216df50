import type { Child } from 'hono/jsx';
import { Truncate } from './truncate.js';

/** The run page's path for a run id (the id is one encoded path segment, whatever it contains). */
export function runHref(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

/** Props of {@link RunLink}. */
export interface RunLinkProps {
  runId: string;
  /** The link text; default the run id. */
  children?: Child;
}

/** A link to a run's page. */
export function RunLink({ runId, children }: RunLinkProps) {
  const label = children === undefined || (Array.isArray(children) && children.length === 0) ? <Truncate text={runId} max={64} class="mono" /> : children;
  return <a href={runHref(runId)}>{label}</a>;
}
