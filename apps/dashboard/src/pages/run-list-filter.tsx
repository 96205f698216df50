import { RUN_STATES } from '@agentpr/state-machine';
import { safeText } from '../components/safe-text.js';
import { RUN_SORTS, VERDICT_FILTERS, type RunsFilter } from '../views/runs-query.js';

/** Props of {@link RunListFilter}. */
export interface RunListFilterProps {
  filter: RunsFilter;
  /** The campaigns runs were created under (`listRunCampaigns`). */
  campaigns: readonly string[];
}

const VERDICT_LABELS: Record<(typeof VERDICT_FILTERS)[number], string> = {
  PASS: 'PASS',
  RETRYABLE: 'RETRYABLE',
  HUMAN_REVIEW: 'HUMAN_REVIEW',
  none: 'no verdict yet',
};

const SORT_LABELS: Record<RunsFilter['sort'], string> = { updated: 'last update', created: 'creation', repo: 'repository', state: 'state' };

/**
 * The runs page's filter form: a plain GET form with a label on every control, so it works without JavaScript and
 * its URL is the page's state (bookmarkable, shareable). Campaign names come from the store and are shown safely.
 */
export function RunListFilter({ filter, campaigns }: RunListFilterProps) {
  const campaignOptions = filter.campaign && !campaigns.includes(filter.campaign) ? [filter.campaign, ...campaigns] : campaigns;
  return (
    <form method="get" action="/" class="filters" role="search" aria-label="Filter runs">
      <div class="field">
        <label for="f-state">State</label>
        <select id="f-state" name="state" multiple size={5}>
          {RUN_STATES.map((s) => (
            <option value={s} selected={filter.states.includes(s)}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-repo">Repository</label>
        <input id="f-repo" name="repo" type="text" value={filter.repo} placeholder="owner or owner/repo" maxlength={140} autocomplete="off" />
      </div>
      <div class="field">
        <label for="f-campaign">Campaign</label>
        <select id="f-campaign" name="campaign">
          <option value="">any</option>
          {campaignOptions.map((c) => (
            <option value={c} selected={c === filter.campaign}>
              {safeText(c, 64)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-verdict">Latest verdict</label>
        <select id="f-verdict" name="verdict">
          <option value="">any</option>
          {VERDICT_FILTERS.map((v) => (
            <option value={v} selected={v === filter.verdict}>
              {VERDICT_LABELS[v]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-sort">Sort by</label>
        <select id="f-sort" name="sort">
          {RUN_SORTS.map((s) => (
            <option value={s} selected={s === filter.sort}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-dir">Order</label>
        <select id="f-dir" name="dir">
          <option value="desc" selected={filter.direction === 'desc'}>
            descending
          </option>
          <option value="asc" selected={filter.direction === 'asc'}>
            ascending
          </option>
        </select>
      </div>
      <div class="actions">
        <button type="submit">Show runs</button> <a href="/">Clear filters</a>
      </div>
    </form>
  );
}
