import type { Child } from 'hono/jsx';
import { Truncate } from './truncate.js';

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * `https://github.com/<owner>/<repo>[/pull/<n>]`, or undefined when owner, repo or number is not one GitHub allows:
 * the only way a dashboard `href` is built from run data other than an encoded path segment.
 */
export function githubUrl(owner: string, repo: string, number?: number | null, kind: 'pull' | 'issues' = 'pull'): string | undefined {
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === '.' || repo === '..') return undefined;
  const base = `https://github.com/${owner}/${repo}`;
  if (number === undefined || number === null) return base;
  return Number.isSafeInteger(number) && number > 0 ? `${base}/${kind}/${number}` : undefined;
}

/** Props of {@link GitHubLink}. */
export interface GitHubLinkProps {
  owner: string;
  repo: string;
  /** A PR (or, with `kind="issues"`, issue) number; without it the link is to the repository. */
  number?: number | null;
  kind?: 'pull' | 'issues';
  /** The link text; default `owner/repo` or `owner/repo#n`. */
  children?: Child;
}

/** A link to GitHub for a validated owner/repo/number; invalid data shows as plain (safe) text, never as a link. */
export function GitHubLink({ owner, repo, number, kind = 'pull', children }: GitHubLinkProps) {
  const text = `${owner}/${repo}${number ? `#${number}` : ''}`;
  const label = children === undefined || (Array.isArray(children) && children.length === 0) ? <Truncate text={text} max={120} /> : children;
  const href = githubUrl(owner, repo, number, kind);
  if (!href) return <span>{label}</span>;
  return (
    <a href={href} rel="noopener noreferrer external">
      {label}
    </a>
  );
}
