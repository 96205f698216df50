import type { Page } from '../page.js';
import { runIdParam, runView } from '../views/run-view.js';
import { NextGateSection, RunHeader } from './run-header.js';
import { DigestAndInsight, GateVerdicts, LatestAttempt, UsageAndTiming } from './run-reports.js';
import { RunTimeline } from './run-timeline.js';

/**
 * The run page (`/runs/:runId`): the header (repository, campaign, state, verdict, PR with checks and review, lease),
 * the next gate with its commands, the timeline of events and attempts with each verdict's evidence, the latest
 * attempt and its diff, the digest and insight, usage and time, and the gates' verdicts. A malformed id is a 400, an
 * unknown one a 404.
 */
export const runPage: Page = async (req, deps) => {
  const view = await runView(deps, runIdParam(req.params.runId));
  const now = deps.clock();
  return {
    title: `Run ${view.runId}`,
    nav: 'runs',
    body: (
      <>
        <RunHeader view={view} now={now} />
        <NextGateSection gate={view.next} />
        <RunTimeline entries={view.timeline} cut={view.timelineCut} now={now} />
        <LatestAttempt view={view} />
        <DigestAndInsight view={view} now={now} />
        <UsageAndTiming view={view} />
        <GateVerdicts view={view} now={now} />
        {view.warnings.length ? (
          <section aria-labelledby="warnings-h">
            <h2 id="warnings-h">Warnings</h2>
            <ul>
              {view.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </section>
        ) : null}
      </>
    ),
  };
};
