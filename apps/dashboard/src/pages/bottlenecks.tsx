import { formatDuration } from '@agentpr/reports/format-duration';
import { HorizontalBarChart } from '../charts/bar-chart.js';
import { durationUnit } from '../charts/axis-units.js';
import { DataTable, EmptyState, RunLink, Section, StateBadge, Time, Truncate } from '../components/index.js';
import type { Page } from '../page.js';
import { BOTTLENECK_WINDOWS, bottlenecksView, STATE_RUNS, STEP_RUNS, type BottlenecksView } from '../views/bottlenecks-view.js';
import { WindowLinks, windowWords } from './window-links.js';

const MEDIAN_P90 = [
  { label: 'median', slot: 1 },
  { label: 'p90', slot: 4 },
] as const;

function StatesChart({ view }: { view: BottlenecksView }) {
  if (view.states.length === 0) return <EmptyState title={`No run left a state in ${windowWords(view.window)}.`}>Time per stage counts completed stays only.</EmptyState>;
  const max = Math.max(...view.states.map((s) => s.p90_ms));
  const slowest = view.states[0]!;
  return (
    <HorizontalBarChart
      id="chart-time-per-state"
      title={`Time per stage, ${windowWords(view.window)}`}
      desc={`Median and p90 time runs spent in each state they left, over up to ${STATE_RUNS} runs updated in ${windowWords(view.window)}. Slowest median: ${slowest.state}, ${formatDuration(slowest.median_ms)} (p90 ${formatDuration(slowest.p90_ms)}, ${slowest.runs} runs).`}
      series={MEDIAN_P90}
      rows={view.states.map((s) => ({ label: s.state, values: [s.median_ms, s.p90_ms] }))}
      format={formatDuration}
      unit={durationUnit(max)}
      tableCaption="Time per stage"
      rowHeader="State"
    />
  );
}

function StepsChart({ view }: { view: BottlenecksView }) {
  if (view.steps.length === 0) return <EmptyState title="No step attempt is recorded yet.">Steps (prepare, agent, finish, …) are timed as runs go.</EmptyState>;
  const max = Math.max(...view.steps.map((s) => s.p90_duration_ms));
  const slowest = view.steps[0]!;
  return (
    <HorizontalBarChart
      id="chart-time-per-step"
      title="Time per step"
      desc={`Median and p90 duration of each step over the ${view.stepRuns.analyzed} runs with the most recent attempts. Slowest median: ${slowest.step}, ${formatDuration(slowest.median_duration_ms)} over ${slowest.samples} attempts.`}
      series={MEDIAN_P90}
      rows={view.steps.map((s) => ({ label: s.step, values: [s.median_duration_ms, s.p90_duration_ms] }))}
      format={formatDuration}
      unit={durationUnit(max)}
      tableCaption="Time per step"
      rowHeader="Step"
    />
  );
}

/** Which agent engines ran each step's attempts (`agent: codex 3, claude 2`); nothing when no engine is recorded. */
function StepEngines({ view }: { view: BottlenecksView }) {
  const steps = view.steps.filter((s) => Object.keys(s.engines).length > 0);
  if (steps.length === 0) return null;
  return (
    <p class="engines">
      {'Attempts per engine: '}
      {steps.map((s, i) => (
        <>
          {i > 0 ? '; ' : ''}
          <Truncate text={s.step} max={40} />
          {': '}
          {Object.entries(s.engines).map(([engine, n], j) => (
            <>
              {j > 0 ? ', ' : ''}
              <Truncate text={engine} max={40} /> {n}
            </>
          ))}
        </>
      ))}
    </p>
  );
}

function SlowestRuns({ view, now }: { view: BottlenecksView; now: Date }) {
  return (
    <DataTable
      caption="Slowest runs by total step time"
      columns={[{ label: 'Run' }, { label: 'Repository' }, { label: 'State' }, { label: 'Total step time', numeric: true }, { label: 'Slowest step' }, { label: 'Updated' }]}
      rows={view.slowest}
      empty={<EmptyState title="No run has step attempts yet." />}
      row={(r) => (
        <tr>
          <td>
            <RunLink runId={r.run_id} />
          </td>
          <td>
            <Truncate text={`${r.owner}/${r.repo}`} max={80} />
          </td>
          <td>
            <StateBadge state={r.state} />
          </td>
          <td class="num">{formatDuration(r.total_step_duration_ms)}</td>
          <td>
            <Truncate text={r.top_step} max={40} />
            {` (${formatDuration(r.top_step_duration_ms)})`}
          </td>
          <td>
            <Time iso={r.updated_at} now={now} />
          </td>
        </tr>
      )}
    />
  );
}

/**
 * `/bottlenecks`: time per stage and per step across recent runs, as charts with their numbers (and which engines ran
 * each step), and the slowest runs.
 */
export const bottlenecksPage: Page = async (req, deps) => {
  const view = await bottlenecksView(deps, req.query);
  return {
    title: 'Bottlenecks',
    nav: 'bottlenecks',
    body: (
      <>
        <h1>Bottlenecks</h1>
        <p>Where runs spend their time: in each state of the run, and in each step agentpr runs for them.</p>
        <WindowLinks url={req.url} windows={BOTTLENECK_WINDOWS} current={view.window} />
        <Section title="Time per stage">
          <p class="muted">{`Completed stays in each state, across the ${STATE_RUNS} most recently updated runs changed in ${windowWords(view.window)}.`}</p>
          <StatesChart view={view} />
        </Section>
        <Section title="Time per step">
          <p class="muted">{`Step attempts of the ${STEP_RUNS} runs with the most recent attempts (${view.stepRuns.analyzed} with attempts), whatever the window.`}</p>
          <StepsChart view={view} />
          <StepEngines view={view} />
        </Section>
        <Section title="Slowest runs">
          <SlowestRuns view={view} now={deps.clock()} />
        </Section>
      </>
    ),
  };
};
