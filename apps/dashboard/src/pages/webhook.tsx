import { StackedTimeChart } from '../charts/stacked-time-chart.js';
import { DataTable, EmptyState, Section, Truncate } from '../components/index.js';
import type { Page } from '../page.js';
import { count } from '../views/campaign-view.js';
import { AUDIT_THRESHOLDS, outcomeValues, WEBHOOK_WINDOWS, webhookView, type AuditState, type AuditWindow, type WebhookView } from '../views/webhook-view.js';
import { WindowLinks, windowWords } from './window-links.js';

function Deliveries({ view }: { view: WebhookView }) {
  if (view.total === 0) {
    return (
      <EmptyState title={`No webhook delivery was stored in ${windowWords(view.window)}.`}>
        <p>
          Deliveries appear here once GitHub sends them to <code>agentpr-webhook</code> (refused ones are only in the audit log below).
        </p>
      </EmptyState>
    );
  }
  const series = view.outcomes.map((o) => ({ key: o.key, label: o.key, slot: o.slot }));
  const buckets = view.deliveries.map((b) => ({ start: new Date(b.start), values: outcomeValues(b, view.outcomes) }));
  const totals = view.outcomes.map((o) => `${o.key} ${buckets.reduce((sum, b) => sum + (b.values[o.key] ?? 0), 0)}`).join(', ');
  return (
    <StackedTimeChart
      id="chart-webhook-deliveries"
      title={`Deliveries per hour by outcome, ${windowWords(view.window)}`}
      desc={`${view.total} deliveries stored in ${windowWords(view.window)}: ${totals}.`}
      series={series}
      buckets={buckets}
      bucket="hour"
      tableCaption="Deliveries per hour by outcome"
    />
  );
}

/** The thresholds a window crossed, in words. */
function crossed(w: AuditWindow): string[] {
  const s = w.summary;
  const out: string[] = [];
  if (s.retryable_failures > AUDIT_THRESHOLDS.retryableFailures) out.push(`${w.label}: ${s.retryable_failures} retryable failures (threshold ${AUDIT_THRESHOLDS.retryableFailures})`);
  if (s.http_5xx_rate_pct > AUDIT_THRESHOLDS.http5xxRatePct) out.push(`${w.label}: ${s.http_5xx_rate_pct}% of answers were 5xx (threshold ${AUDIT_THRESHOLDS.http5xxRatePct}%)`);
  return out;
}

const outcomeText = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

function AuditSummaries({ audit }: { audit: Extract<AuditState, { kind: 'summaries' }> }) {
  const warnings = audit.windows.flatMap(crossed);
  const day = audit.windows.find((w) => w.summary.since_minutes === 24 * 60) ?? audit.windows[0];
  return (
    <>
      {warnings.length > 0 ? (
        <div class="error-text warnings">
          <p>Thresholds crossed:</p>
          <ul>
            {warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p>{`No threshold crossed (retryable failures above ${AUDIT_THRESHOLDS.retryableFailures}, 5xx answers above ${AUDIT_THRESHOLDS.http5xxRatePct}%).`}</p>
      )}
      <DataTable
        caption="Webhook answers from the audit log"
        columns={[{ label: 'Window' }, { label: 'Answers', numeric: true }, { label: 'By outcome' }, { label: '5xx', numeric: true }, { label: 'Retryable failures', numeric: true }, { label: 'Status' }]}
        rows={audit.windows}
        row={(w) => (
          <tr>
            <th scope="row">{w.label}</th>
            <td class="num">{count(w.summary.considered_entries)}</td>
            <td>
              <Truncate text={outcomeText(w.summary.outcome_counts)} max={200} />
            </td>
            <td class="num">{`${w.summary.http_5xx_count} (${w.summary.http_5xx_rate_pct}%)`}</td>
            <td class="num">{count(w.summary.retryable_failures)}</td>
            <td>{crossed(w).length > 0 ? <span class="badge tone-bad">threshold crossed</span> : <span class="badge tone-ok">ok</span>}{w.capped ? ' (only the newest lines read)' : ''}</td>
          </tr>
        )}
      />
      {day && day.summary.top_errors.length > 0 ? (
        <DataTable
          caption={`Most frequent errors, ${day.label.toLowerCase()}`}
          columns={[{ label: 'Error' }, { label: 'Answers', numeric: true }]}
          rows={day.summary.top_errors}
          row={(e) => (
            <tr>
              <td>
                <Truncate text={e.error} max={200} />
              </td>
              <td class="num">{count(e.count)}</td>
            </tr>
          )}
        />
      ) : null}
      <p class="muted">
        {'Read from '}
        <code>
          <Truncate text={audit.file} max={200} />
        </code>
        {' (the webhook writes one line per answer; roll-ups are counted apart).'}
      </p>
    </>
  );
}

function Audit({ audit }: { audit: AuditState }) {
  switch (audit.kind) {
    case 'summaries':
      return <AuditSummaries audit={audit} />;
    case 'missing':
      return (
        <EmptyState title="The webhook has not written an audit log yet.">
          <p>
            {'No file at '}
            <code>
              <Truncate text={audit.file} max={200} />
            </code>
            {': no delivery has been answered on this data dir, or the webhook runs with another '}
            <code>--data-dir</code>
            {' or policy ('}
            <code>github_webhook.audit_log_file</code>
            {').'}
          </p>
        </EmptyState>
      );
    case 'unavailable':
      return (
        <p class="error-text">
          {'The audit log cannot be summarised: '}
          <Truncate text={audit.reason} max={300} />
        </p>
      );
    default: {
      const never: never = audit;
      return never;
    }
  }
}

/** `/webhook`: the deliveries stored per hour by outcome, and the audit log's summary with its thresholds. */
export const webhookPage: Page = async (req, deps) => {
  const view = await webhookView(deps, req.query);
  return {
    title: 'Webhook health',
    nav: 'webhook',
    body: (
      <>
        <h1>Webhook health</h1>
        <WindowLinks url={req.url} windows={WEBHOOK_WINDOWS} current={view.window} />
        <Section title="Audit log: answers and thresholds">
          <Audit audit={view.audit} />
        </Section>
        <Section title="Deliveries over time">
          <Deliveries view={view} />
        </Section>
      </>
    ),
  };
};
