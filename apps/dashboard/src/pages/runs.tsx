import { RUN_STATES } from '@agentpr/state-machine';
import { dashboardRunPage, listRunCampaigns, StoreError, type Db, type RunPage, type RunPageQuery } from '@agentpr/store';
import { PageError, type Page } from '../page.js';
import { parseRunsQuery, runsHref, type RunsFilter } from '../views/runs-query.js';
import { stateCounts } from '../views/state-counts.js';
import { RunListFilter } from './run-list-filter.js';
import { RunListTable } from './run-list-table.js';

/** One keyset page; a cursor the store refuses (another sort's, or tampered with) is the caller's bad request. */
async function runPage(db: Db, query: RunPageQuery): Promise<RunPage> {
  try {
    return await dashboardRunPage(db, query);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'invalid_input') {
      // The filters were validated at the edge, so the store can only refuse the cursor (it names what is wrong).
      throw new PageError('bad_request', `cursor: ${error.message.replace(/^invalid cursor: /, '')}`);
    }
    throw error;
  }
}

/** How many runs are in each state (all runs, not only the filtered ones), each a link to that state's runs. */
function StateCounts({ counts }: { counts: Readonly<Record<string, number>> }) {
  const present = RUN_STATES.filter((s) => (counts[s] ?? 0) > 0);
  if (present.length === 0) return <p class="muted">No runs yet.</p>;
  return (
    <ul class="state-counts" aria-label="Runs by state">
      {present.map((s) => (
        <li>
          <a href={`/?state=${s}`}>
            {s} <span class="count">{counts[s]}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function Pager({ filter, next }: { filter: RunsFilter; next: string | null }) {
  if (!filter.cursor && !next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {filter.cursor ? <a href={runsHref(filter, null)}>First page</a> : null}
      {next ? (
        <a href={runsHref(filter, next)} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}

/**
 * The runs page (`/`): the filter form, the runs per state, and one keyset page of the matching runs with a link to
 * the next. One `dashboardRunPage` call plus two small reads (the state counts, cached until the store changes, and
 * the campaign names).
 */
export const runsPage: Page = async (req, deps) => {
  const { query, filter } = parseRunsQuery(req.query);
  const [page, counts, campaigns] = await Promise.all([runPage(deps.db, query), stateCounts(deps), listRunCampaigns(deps.db)]);
  return {
    title: 'Runs',
    nav: 'runs',
    body: (
      <>
        <h1>Runs</h1>
        <StateCounts counts={counts} />
        <RunListFilter filter={filter} campaigns={campaigns} />
        <RunListTable rows={page.rows} total={page.total} now={deps.clock()} redact={deps.redact} />
        <Pager filter={filter} next={page.next} />
      </>
    ),
  };
};
