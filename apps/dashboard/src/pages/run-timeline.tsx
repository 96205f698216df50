import { formatDuration } from '@agentpr/reports/format-duration';
import { Time } from '../components/time.js';
import { Truncate } from '../components/truncate.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import type { EvidenceLine } from '../views/run-evidence.js';
import type { TimelineAttempt, TimelineEntry, TimelineEvent } from '../views/run-timeline.js';

function EventItem({ e, now }: { e: TimelineEvent; now: Date }) {
  return (
    <li class={`tl-event${e.applied ? '' : ' not-applied'}`} id={`event-${e.eventId}`}>
      <Time iso={e.at} now={now} /> <code class="event-type">{e.type.slice(0, 60)}</code>
      {e.actor ? (
        <>
          {' '}
          by <Truncate text={e.actor} max={40} />
        </>
      ) : null}
      {e.applied ? null : (
        <>
          {' '}
          <span class="badge tone-idle">not applied</span>
          {e.reason ? (
            <>
              {' '}
              <Truncate text={e.reason} max={160} />
            </>
          ) : null}
        </>
      )}
      {e.detail ? (
        <div class="detail">
          <Truncate text={e.detail} max={300} />
        </div>
      ) : null}
    </li>
  );
}

function Evidence({ lines }: { lines: readonly EvidenceLine[] }) {
  if (lines.length === 0) return <p class="muted">The verdict recorded no evidence lines.</p>;
  return (
    <ol class="evidence">
      {lines.map((l) => (
        <li>
          {l.command ? (
            <>
              <code>
                <Truncate text={l.command} max={500} />
              </code>
              {l.commandExit !== null ? <span class="muted"> exit {l.commandExit}</span> : null}{' '}
            </>
          ) : null}
          <Truncate text={l.note} max={500} />
          {l.streamLine !== null ? <span class="muted"> (event stream line {l.streamLine})</span> : null}
        </li>
      ))}
    </ol>
  );
}

function AttemptSummary({ a, now }: { a: TimelineAttempt; now: Date }) {
  return (
    <>
      <Time iso={a.at} now={now} /> <strong>{a.step.slice(0, 40)}</strong> attempt {a.attemptNo}
      {a.engine ? (
        <span class="engine">
          {' ('}
          <Truncate text={a.engine} max={200} />)
        </span>
      ) : null}
      {a.stage ? <span class="muted"> in {a.stage.slice(0, 40)}</span> : null}, {formatDuration(a.durationMs)}{' '}
      {a.grade ? <VerdictBadge verdict={a.grade} /> : <span class={`badge tone-${a.stepExit === 0 ? 'ok' : 'bad'}`}>{a.stepExit === 0 ? 'succeeded' : `failed (exit ${a.stepExit})`}</span>}
      {a.reasonCode ? <code> {a.reasonCode.slice(0, 80)}</code> : null}
      {a.evidence ? <span class="muted"> · {a.evidence.length} evidence lines</span> : null}
    </>
  );
}

function AttemptItem({ a, now, open }: { a: TimelineAttempt; now: Date; open: boolean }) {
  const id = `attempt-${a.attemptId}`;
  if (!a.evidence && !a.stderrTail) {
    return (
      <li class="tl-attempt" id={id}>
        <AttemptSummary a={a} now={now} />
      </li>
    );
  }
  return (
    <li class="tl-attempt">
      <details id={id} open={open}>
        <summary>
          <AttemptSummary a={a} now={now} />
        </summary>
        {a.evidence ? <Evidence lines={a.evidence} /> : null}
        {a.stderrTail ? (
          <>
            <p class="muted">stderr (tail):</p>
            <pre>{a.stderrTail}</pre>
          </>
        ) : null}
      </details>
    </li>
  );
}

/**
 * The run's timeline, oldest first: events (type, actor, applied or why not, the payload's facts) and step attempts
 * (step, attempt number, the engine and model that ran it, stage, duration, verdict, reason) whose evidence opens in a `<details id="attempt-<id>">` a
 * link can target. The newest agent attempt's evidence is open.
 */
export function RunTimeline({ entries, cut, now }: { entries: readonly TimelineEntry[]; cut: boolean; now: Date }) {
  const newestAgent = [...entries].reverse().find((e): e is TimelineAttempt => e.kind === 'attempt' && e.step === 'agent');
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      {cut ? <p class="muted">Showing the newest events and attempts only; `agentpr inspect-run` lists more.</p> : null}
      {entries.length === 0 ? (
        <p class="muted">Nothing happened yet.</p>
      ) : (
        <ol class="timeline">
          {entries.map((e) => (e.kind === 'event' ? <EventItem e={e} now={now} /> : <AttemptItem a={e} now={now} open={e === newestAgent} />))}
        </ol>
      )}
    </section>
  );
}
