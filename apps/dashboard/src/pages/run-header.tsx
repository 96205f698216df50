import { StateBadge } from '../components/state-badge.js';
import { Time } from '../components/time.js';
import { Truncate } from '../components/truncate.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import type { NextGate } from '../views/next-gate.js';
import type { RunPrView } from '../views/run-facts.js';
import { isGitHubName } from '../views/run-text.js';
import type { RunView } from '../views/run-view.js';

/** The PR line: number (linked when the names are valid), title, checks on the latest push and the latest review. */
function PrFacts({ pr }: { pr: RunPrView }) {
  return (
    <>
      {pr.number === null ? (
        <span>requested, not opened yet:</span>
      ) : pr.url ? (
        <a href={pr.url} rel="noopener noreferrer">
          PR #{pr.number}
        </a>
      ) : (
        <span>PR #{pr.number}</span>
      )}
      {pr.title ? (
        <>
          {' '}
          <Truncate text={pr.title} max={120} class="pr-title" />
        </>
      ) : null}
      {pr.number === null ? null : <ChecksAndReview pr={pr} />}
    </>
  );
}

/** CI on the PR's latest push and its latest review. */
function ChecksAndReview({ pr }: { pr: RunPrView }) {
  const checks = pr.checks;
  const reviewTone = pr.review?.state === 'changes_requested' ? 'warn' : pr.review?.state === 'approved' ? 'ok' : 'idle';
  return (
    <ul class="inline">
      <li>
        checks:{' '}
        {checks ? <span class={`badge tone-${checks.red ? 'bad' : 'ok'}`}>{checks.conclusion}</span> : 'no verdict on the latest push yet'}
        {checks?.red ? <> failing: {checks.failing ? <Truncate text={checks.failing.join(', ')} max={200} /> : 'names not recorded'}</> : null}
      </li>
      <li>
        review: {pr.review ? <span class={`badge tone-${reviewTone}`}>{pr.review.state.replace(/_/g, ' ')}</span> : 'none yet'}
      </li>
    </ul>
  );
}

/** Links back to the list: all runs, this repository's, this campaign's (query values encoded by URLSearchParams). */
function BackLinks({ view }: { view: RunView }) {
  const repoQuery = isGitHubName(view.owner, 39) && isGitHubName(view.repo, 100) ? new URLSearchParams({ repo: `${view.owner}/${view.repo}` }).toString() : null;
  return (
    <nav class="back" aria-label="Back to the runs">
      <a href="/">All runs</a>
      {repoQuery ? <a href={`/?${repoQuery}`}>Runs of this repository</a> : null}
      {view.campaign ? <a href={`/?${new URLSearchParams({ campaign: view.campaign }).toString()}`}>Runs of this campaign</a> : null}
    </nav>
  );
}

/** The run's header: what it is, where it stands, its PR and who holds it. */
export function RunHeader({ view, now }: { view: RunView; now: Date }) {
  const latestAgent = [...view.timeline].reverse().find((e) => e.kind === 'attempt' && e.step === 'agent');
  return (
    <header class="run-header">
      <BackLinks view={view} />
      <h1>
        Run <Truncate text={view.runId} max={128} />
      </h1>
      <dl class="facts">
        <dt>Repository</dt>
        <dd>
          <Truncate text={`${view.owner}/${view.repo}`} max={140} />
        </dd>
        <dt>Campaign</dt>
        <dd>
          <Truncate text={view.campaign} max={64} />
        </dd>
        <dt>State</dt>
        <dd>
          <StateBadge state={view.state} />
          {view.lastActiveState && view.lastActiveState !== view.state ? <span class="muted"> (last active: {view.lastActiveState})</span> : null}
        </dd>
        <dt>Latest verdict</dt>
        <dd>
          <VerdictBadge verdict={view.latestVerdict?.grade ?? view.lastVerdict} />
          {view.latestVerdict ? <code> {view.latestVerdict.reasonCode}</code> : null}
          {latestAgent ? (
            <>
              {' '}
              <a href={`#attempt-${latestAgent.kind === 'attempt' ? latestAgent.attemptId : ''}`}>evidence</a>
            </>
          ) : null}
        </dd>
        <dt>Pull request</dt>
        <dd>{view.pr ? <PrFacts pr={view.pr} /> : <span class="muted">none yet</span>}</dd>
        <dt>Lease</dt>
        <dd>
          {view.lease ? (
            <>
              held by <Truncate text={view.lease.holder} max={80} /> until <Time iso={view.lease.expiresAt} now={now} />
            </>
          ) : (
            'free'
          )}
        </dd>
        <dt>Workspace</dt>
        <dd>
          <Truncate text={view.workspace.rel} max={120} />{' '}
          {view.workspace.host ? (
            <>
              on host <Truncate text={view.workspace.host} max={64} />
              {view.workspace.hostAt ? (
                <>
                  {' '}since <Time iso={view.workspace.hostAt} now={now} />
                </>
              ) : null}
            </>
          ) : (
            <span class="muted">host not recorded</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <Time iso={view.createdAt} now={now} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time iso={view.updatedAt} now={now} />
        </dd>
        {view.lastError ? (
          <>
            <dt>Last error</dt>
            <dd class="error">
              <Truncate text={view.lastError} max={500} />
            </dd>
          </>
        ) : null}
      </dl>
    </header>
  );
}

const MOVER_TEXT: Record<NextGate['mover'], string> = {
  human: 'Waits for a person',
  github: 'Waits for GitHub',
  manager: 'The manager moves it next',
  gate: 'Held by a gate',
  nobody: 'Finished',
};

/** The next human gate: what the run waits for, the exact CLI command, the bot command, other ways, and what to know. */
export function NextGateSection({ gate }: { gate: NextGate }) {
  return (
    <section class={`next-gate mover-${gate.mover}`} aria-labelledby="next-gate-h">
      <h2 id="next-gate-h">Next gate: {MOVER_TEXT[gate.mover]}</h2>
      <p>
        <Truncate text={gate.summary} max={400} />
      </p>
      {gate.command ? (
        <p>
          Command: <code class="command">{gate.command}</code>
        </p>
      ) : null}
      {gate.botCommand ? (
        <p>
          Telegram bot: <code class="command">{gate.botCommand}</code>
        </p>
      ) : null}
      {gate.alternatives.length ? (
        <details>
          <summary>Other ways ({gate.alternatives.length})</summary>
          <ul>
            {gate.alternatives.map((a) => (
              <li>
                <code>{a}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {gate.note ? <p class="note">{gate.note}</p> : null}
      <p class="muted">The dashboard is read-only: run these commands yourself.</p>
    </section>
  );
}
