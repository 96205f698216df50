import type { RunPageRow } from '@agentpr/store';
import { StateBadge } from '../components/state-badge.js';
import { Time } from '../components/time.js';
import { Truncate } from '../components/truncate.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import { githubPrUrl, runPath, shown } from '../views/run-text.js';

/** Props of {@link RunListTable}. */
export interface RunListTableProps {
  rows: readonly RunPageRow[];
  /** How many runs match the filters (all pages). */
  total: number;
  now: Date;
  redact: (text: string) => string;
}

/** The longest last error shown in a row (the run page shows more). */
const ERROR_CHARS = 140;

/** "1 run matches", "12 runs match". */
export function matchCount(total: number): string {
  return `${total} ${total === 1 ? 'run matches' : 'runs match'}`;
}

/** A PR number, linked to GitHub only when the repository's names are valid GitHub names. */
export function PrNumber({ owner, repo, prNumber }: { owner: string; repo: string; prNumber: number | null }) {
  if (prNumber === null) return <span class="muted">—</span>;
  const url = githubPrUrl(owner, repo, prNumber);
  return url ? (
    <a href={url} rel="noopener noreferrer">
      #{prNumber}
    </a>
  ) : (
    <span>#{prNumber}</span>
  );
}

/**
 * The runs as a semantic table: a caption with the match count, column headers with `scope`, one row per run. Every
 * string from the store is shown through {@link Truncate}; the last error is redacted first.
 */
export function RunListTable({ rows, total, now, redact }: RunListTableProps) {
  return (
    <div class="table-scroll" role="region" aria-label={matchCount(total)} tabindex={0}>
      <table class="runs">
        <caption>{matchCount(total)}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Repository</th>
            <th scope="col">Campaign</th>
            <th scope="col">State</th>
            <th scope="col">Latest verdict</th>
            <th scope="col">PR</th>
            <th scope="col">Updated</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
          <tr>
            <td colspan={8}>No run matches these filters.</td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr>
              <th scope="row">
                <a href={runPath(r.run_id)}>
                  <Truncate text={r.run_id} max={64} />
                </a>
              </th>
              <td>
                <Truncate text={`${r.owner}/${r.repo}`} max={80} />
              </td>
              <td>
                <Truncate text={r.campaign} max={48} />
              </td>
              <td>
                <StateBadge state={r.current_state} />
              </td>
              <td>
                <VerdictBadge verdict={r.last_verdict} />
              </td>
              <td>
                <PrNumber owner={r.owner} repo={r.repo} prNumber={r.pr_number} />
              </td>
              <td>
                <Time iso={r.updated_at} now={now} />
              </td>
              <td class="error">
                <Truncate text={shown(redact, r.last_error, { max: ERROR_CHARS * 2 })} max={ERROR_CHARS} />
              </td>
            </tr>
          ))
        )}
        </tbody>
      </table>
    </div>
  );
}
