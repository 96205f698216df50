import { formatDuration } from '@agentpr/reports/format-duration';
import { Time } from '../components/time.js';
import { Truncate } from '../components/truncate.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import type { RunView } from '../views/run-view.js';

/** The latest agent verdict and the diff it was judged on. */
export function LatestAttempt({ view }: { view: RunView }) {
  const v = view.latestVerdict;
  const d = view.diff;
  return (
    <section aria-labelledby="latest-h">
      <h2 id="latest-h">Latest agent attempt</h2>
      {v ? (
        <>
          <p>
            <VerdictBadge verdict={v.grade} /> <code>{v.reasonCode}</code>
            {v.nextAction ? <span class="muted"> → {v.nextAction}</span> : null}; {v.testCommands} test commands, {v.failedTestCommands} failing
          </p>
          {v.lastMessage ? (
            <>
              <h3>The agent's last message</h3>
              <pre class="agent-message">{v.lastMessage}</pre>
            </>
          ) : null}
        </>
      ) : (
        <p class="muted">No agent attempt has a runtime report yet.</p>
      )}
      <h3>Diff</h3>
      {d ? (
        <>
          <p class="diff-stats">
            {d.files} {d.files === 1 ? 'file' : 'files'} changed, <span class="ins">+{d.insertions}</span> <span class="del">−{d.deletions}</span>
          </p>
          {d.paths.length ? (
            <ul class="paths">
              {d.paths.map((p) => (
                <li>
                  <code>
                    <Truncate text={p} max={200} />
                  </code>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p class="muted">No diff recorded yet.</p>
      )}
    </section>
  );
}

/** The run digest (summary, and its JSON in a closed `<details>`) and the manager insight. */
export function DigestAndInsight({ view, now }: { view: RunView; now: Date }) {
  const d = view.digest;
  return (
    <section aria-labelledby="digest-h">
      <h2 id="digest-h">Digest and insight</h2>
      {d ? (
        <>
          <p>
            <VerdictBadge verdict={d.grade} /> <code>{d.reasonCode}</code> {d.stateBefore} → {d.stateAfter}
            {d.recommendedAction ? <>; the manager recommends: {d.recommendedAction}</> : null} (<Time iso={d.generatedAt} now={now} />)
          </p>
          {d.text ? (
            <details>
              <summary>The digest (JSON)</summary>
              <pre>{d.text}</pre>
            </details>
          ) : null}
        </>
      ) : (
        <p class="muted">No run digest yet.</p>
      )}
      {view.insight ? (
        <>
          <h3>Manager insight</h3>
          <pre class="insight">{view.insight}</pre>
        </>
      ) : null}
    </section>
  );
}

/** Tokens and cost of the agent attempts, in total and per engine and model, and time per step. */
export function UsageAndTiming({ view }: { view: RunView }) {
  const u = view.usage;
  return (
    <section aria-labelledby="usage-h">
      <h2 id="usage-h">Usage, cost and time</h2>
      <p>
        {u.total_tokens} tokens over {u.agent_attempts} agent attempts ({u.input_tokens} in, {u.cached_input_tokens} cached, {u.output_tokens} out,{' '}
        {u.reasoning_tokens} reasoning); cost: {u.cost === null ? 'unknown' : `${u.cost} ${u.currency.slice(0, 8)}`}
      </p>
      {view.usageByEngine.length ? (
        <ul class="engines" aria-label="Usage per engine and model">
          {view.usageByEngine.map((e) => (
            <li>
              <Truncate text={e.label} max={200} />: {e.attempts} agent attempt{e.attempts === 1 ? '' : 's'}, {e.total_tokens} tokens, cost{' '}
              {e.cost === null ? 'unknown' : `${e.cost} ${u.currency.slice(0, 8)}`}
            </li>
          ))}
        </ul>
      ) : null}
      {u.notes.length ? (
        <ul class="muted">
          {u.notes.map((n) => (
            <li>
              <Truncate text={n} max={200} />
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        {formatDuration(view.wallClockMs)} from creation to the last change, {formatDuration(view.totalStepMs)} in steps.
      </p>
      {view.stepTotals.length ? (
        <div class="table-scroll" role="region" aria-label="Time per step" tabindex={0}>
          <table class="steps">
            <caption>Time per step</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Attempts</th>
                <th scope="col">Total</th>
                <th scope="col">Median</th>
                <th scope="col">p90</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {view.stepTotals.map((t) => (
                <tr>
                  <th scope="row">{t.step.slice(0, 40)}</th>
                  <td>{t.attempts}</td>
                  <td>{formatDuration(t.total_duration_ms)}</td>
                  <td>{formatDuration(t.p50_duration_ms)}</td>
                  <td>{formatDuration(t.p90_duration_ms)}</td>
                  <td>{t.share_of_total_pct}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** Each citizenship gate's latest verdict, with the repository's own words it relied on. */
export function GateVerdicts({ view, now }: { view: RunView; now: Date }) {
  if (view.gates.length === 0) return null;
  return (
    <section aria-labelledby="gates-h">
      <h2 id="gates-h">Gate verdicts</h2>
      <ul class="gates">
        {view.gates.map((g) => (
          <li>
            <strong>{g.gate.slice(0, 40)}</strong>: <span class="badge tone-idle">{g.outcome.slice(0, 40)}</span>
            {g.reason ? <code> {g.reason}</code> : null}
            {g.override ? <span class="badge tone-warn">overridden</span> : null} at {g.phase.slice(0, 40)}, <Time iso={g.when} now={now} />
            <div>
              <Truncate text={g.message} max={500} />
            </div>
            {g.frees_at ? (
              <div>
                frees <Time iso={g.frees_at} now={now} />
              </div>
            ) : null}
            {g.stance ? <div>stance: {g.stance.slice(0, 40)}</div> : null}
            {g.quotes?.length ? (
              <ul class="quotes">
                {g.quotes.map((q) => (
                  <li>
                    <q>
                      <Truncate text={q.quote} max={500} />
                    </q>
                    {q.path ? (
                      <span class="muted">
                        {' '}
                        (<Truncate text={q.path} max={200} />)
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
