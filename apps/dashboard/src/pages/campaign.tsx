import { FUNNEL_STAGES, type CampaignReportResult, type FunnelStage } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import { FunnelChart } from '../charts/funnel-chart.js';
import { StackedTimeChart } from '../charts/stacked-time-chart.js';
import { slotOf } from '../charts/chart-theme.js';
import { Card, DataTable, EmptyState, Facts, Section, Truncate, safeText } from '../components/index.js';
import type { Page } from '../page.js';
import {
  CAMPAIGN_WINDOWS,
  campaignListView,
  campaignView,
  count,
  money,
  phaseCounts,
  STATE_PHASES,
  type CampaignListView,
  type CampaignView,
} from '../views/campaign-view.js';
import { WindowLinks, windowWords } from './window-links.js';

const STAGE_NAMES: Readonly<Record<FunnelStage, string>> = { created: 'Created', prepared: 'Prepared', pushed: 'Pushed', pr_opened: 'PR opened', merged: 'Merged' };

/** A campaign's page path: the name as one encoded path segment. */
export function campaignHref(name: string): string {
  return `/campaigns/${encodeURIComponent(name)}`;
}

function CampaignList({ view }: { view: CampaignListView }) {
  return (
    <>
      <h1>Campaigns</h1>
      <DataTable
        caption="Campaigns runs were created under"
        columns={[{ label: 'Campaign' }, { label: 'Runs', numeric: true }, { label: 'List' }]}
        rows={view.campaigns}
        empty={
          <EmptyState title="No run belongs to a campaign yet.">
            <p>
              Create runs with <code>agentpr create-run --campaign NAME</code> (or import them) to follow a campaign here.
            </p>
          </EmptyState>
        }
        row={(c) => (
          <tr>
            <th scope="row">
              <a href={campaignHref(c.name)}>
                <Truncate text={c.name} max={80} />
              </a>
            </th>
            <td class="num">{count(c.runs)}</td>
            <td>
              <a href={`/?campaign=${encodeURIComponent(c.name)}`}>its runs</a>
            </td>
          </tr>
        )}
      />
      {view.more ? <p class="muted">{`Only the first ${view.campaigns.length} campaigns by name are listed.`}</p> : null}
    </>
  );
}

function StatesOverTime({ view }: { view: CampaignView }) {
  const series = STATE_PHASES.map((p, i) => ({ key: p.key, label: p.label, slot: slotOf(i) }));
  const buckets = view.days.map((d) => ({ start: new Date(d.start), values: phaseCounts(d.counts) }));
  const last = buckets.at(-1)?.values ?? {};
  const now = STATE_PHASES.map((p) => `${p.label} ${last[p.key] ?? 0}`).join(', ');
  return (
    <>
      <StackedTimeChart
        id="chart-campaign-states"
        title={`Runs by state at the end of each day, ${windowWords(view.window)}`}
        desc={`Runs of the campaign by phase at the end of each UTC day. Today: ${now}.`}
        series={series}
        buckets={buckets}
        bucket="day"
        tableCaption="Runs by phase at the end of each day"
      />
      <dl class="facts phases">
        {STATE_PHASES.map((p) => (
          <>
            <dt>{p.label}</dt>
            <dd>{p.states.join(', ')}</dd>
          </>
        ))}
      </dl>
    </>
  );
}

const percent = (rate: number | null): string => (rate === null ? 'n/a' : `${Math.round(rate * 1000) / 10}%`);

function Figures({ r }: { r: CampaignReportResult }) {
  const c = r.cost;
  const per = (p: { tokens: number; cost: number | null } | null) => (p ? `${money(p.cost, c.currency)} (${count(p.tokens)} tokens)` : '-');
  return (
    <Facts
      items={[
        ['Runs', count(r.runs)],
        ['PRs', `${r.prs.opened} opened: ${r.prs.merged} merged, ${r.prs.closed_unmerged} closed unmerged, ${r.prs.open} open, ${r.prs.stale} stale`],
        ['Merge rate', `${percent(r.merge_rate)} (merged / (merged + closed unmerged))`],
        ['Median time to merge', r.time_to_merge.median_ms === null ? 'no merged PR yet' : `${formatDuration(r.time_to_merge.median_ms)} (${r.time_to_merge.count} PRs)`],
        ['Cost per merged PR', per(c.per_merged_pr)],
        ['Cost per run', per(c.per_run)],
        ['Total cost', `${money(c.total.cost, c.currency)} (${count(c.total.total_tokens)} tokens)`],
      ]}
    />
  );
}

function Funnel({ r }: { r: CampaignReportResult }) {
  const stages = FUNNEL_STAGES.map((stage) => ({ label: STAGE_NAMES[stage], value: r.funnel.find((s) => s.stage === stage)?.runs ?? 0 }));
  const words = stages.map((s) => `${s.label} ${s.value}`).join(', ');
  return (
    <>
      <FunnelChart id="chart-campaign-funnel" title="Funnel: runs that reached each stage" desc={`${words}; merge rate ${percent(r.merge_rate)}.`} stages={stages} slot={1} tableCaption="Funnel" />
      <Figures r={r} />
      {r.cost.total.notes.map((n) => (
        <p class="muted">
          <Truncate text={`Note: ${n}`} max={300} />
        </p>
      ))}
    </>
  );
}

function CostByRepository({ r }: { r: CampaignReportResult }) {
  const c = r.cost;
  return (
    <DataTable
      caption="Cost by repository, the costliest first"
      columns={[{ label: 'Repository' }, { label: 'Runs', numeric: true }, { label: 'Merged', numeric: true }, { label: 'Tokens', numeric: true }, { label: 'Cost', numeric: true }]}
      rows={c.by_repository}
      empty={<EmptyState title="No run has used tokens yet." />}
      row={(x) => (
        <tr>
          <th scope="row">
            <Truncate text={x.repository} max={80} />
          </th>
          <td class="num">{count(x.runs)}</td>
          <td class="num">{count(x.merged)}</td>
          <td class="num">{count(x.total_tokens)}</td>
          <td class="num">{money(x.cost, c.currency)}</td>
        </tr>
      )}
    />
  );
}

function CostByEngine({ r }: { r: CampaignReportResult }) {
  const c = r.cost;
  return (
    <DataTable
      caption="Cost by agent engine and model, the costliest first"
      columns={[{ label: 'Engine · model' }, { label: 'Runs', numeric: true }, { label: 'Agent attempts', numeric: true }, { label: 'Tokens', numeric: true }, { label: 'Cost', numeric: true }]}
      rows={c.by_engine}
      empty={<EmptyState title="No agent attempt is recorded yet." />}
      row={(x) => (
        <tr>
          <th scope="row">
            <Truncate text={x.label} max={120} />
          </th>
          <td class="num">{count(x.runs)}</td>
          <td class="num">{count(x.attempts)}</td>
          <td class="num">{count(x.total_tokens)}</td>
          <td class="num">{money(x.cost, c.currency)}</td>
        </tr>
      )}
    />
  );
}

function Campaign({ view, url }: { view: CampaignView; url: URL }) {
  return (
    <>
      <h1>
        {'Campaign '}
        <Truncate text={view.name} max={120} />
      </h1>
      <p>
        <a href={`/?campaign=${encodeURIComponent(view.name)}`}>List its runs</a>
        {' · '}
        <a href="/campaigns">All campaigns</a>
      </p>
      <WindowLinks url={url} windows={CAMPAIGN_WINDOWS} current={view.window} />
      <Section title="Runs by state over time">
        <StatesOverTime view={view} />
      </Section>
      <Section title="Funnel, merge rate and cost">
        {view.report.kind === 'report' ? (
          <Funnel r={view.report.result} />
        ) : (
          <p class="error-text">
            {'The funnel could not be computed: '}
            <Truncate text={view.report.reason} max={300} />
          </p>
        )}
      </Section>
      {view.report.kind === 'report' ? (
        <>
          <Card title="Cost by repository" level={2}>
            <CostByRepository r={view.report.result} />
          </Card>
          <Card title="Cost by engine and model" level={2}>
            <CostByEngine r={view.report.result} />
          </Card>
        </>
      ) : null}
    </>
  );
}

/** `/campaigns` (the list) and `/campaigns/:campaign` (runs by state over time, the funnel, merge rate and cost). */
export const campaignPage: Page = async (req, deps) => {
  const name = req.params.campaign;
  if (name === undefined) {
    const view = await campaignListView(deps);
    return { title: 'Campaigns', nav: 'campaigns', body: <CampaignList view={view} /> };
  }
  const view = await campaignView(deps, name, req.query);
  return { title: `Campaign ${safeText(view.name, 60)}`, nav: 'campaigns', body: <Campaign view={view} url={req.url} /> };
};
