import { DataTable, EmptyState, RunLink, Section, StateBadge, Time, Truncate } from '../components/index.js';
import type { Page } from '../page.js';
import { approvalsView, type ApprovalGroup, type ApprovalItem } from '../views/approvals-view.js';

function Why({ item, now }: { item: ApprovalItem; now: Date }) {
  return (
    <>
      <p>{item.why}</p>
      {item.request ? (
        <p>
          {'Title: '}
          <Truncate text={item.request.title} max={160} />
          {item.request.created_at ? (
            <>
              {'; requested '}
              <Time iso={item.request.created_at} now={now} />
            </>
          ) : null}
          {'; expires '}
          <Time iso={item.request.expires_at} now={now} />
          {'.'}
        </p>
      ) : null}
      {item.details.length > 0 ? (
        <ul>
          {item.details.map((d) => (
            <li>
              <Truncate text={d} max={240} />
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function HowTo({ item }: { item: ApprovalItem }) {
  return (
    <dl class="facts how-to">
      <dt>CLI</dt>
      <dd>
        <code>
          <Truncate text={item.cli} max={400} />
        </code>
      </dd>
      <dt>Bot</dt>
      <dd>{item.bot ? <code>{item.bot}</code> : <span class="muted">no bot command; use the CLI</span>}</dd>
    </dl>
  );
}

function Group({ group, now }: { group: ApprovalGroup; now: Date }) {
  return (
    <Section title={`${group.title} (${group.items.length})`} id={`group-${group.reason}`}>
      <DataTable
        caption={group.title}
        captionHidden
        columns={[{ label: 'Run' }, { label: 'State' }, { label: 'Why' }, { label: 'Waiting since' }, { label: 'How to pass it' }]}
        rows={group.items}
        row={(item) => (
          <tr>
            <td>
              <RunLink runId={item.run_id} />
              <br />
              <Truncate text={`${item.owner}/${item.repo}`} max={80} class="muted" />
            </td>
            <td>
              <StateBadge state={item.state} />
            </td>
            <td>
              <Why item={item} now={now} />
            </td>
            <td>
              <Time iso={item.since} now={now} />
            </td>
            <td>
              <HowTo item={item} />
            </td>
          </tr>
        )}
      />
    </Section>
  );
}

/**
 * `/approvals`: what waits for a person, grouped by why, each with its run, since when, and the exact CLI and bot
 * commands that pass it. Read-only: no button, no token; approving a PR stays a deliberate act with the confirm token.
 */
export const approvalsPage: Page = async (_req, deps) => {
  const view = await approvalsView(deps);
  const now = deps.clock();
  return {
    title: 'Pending approvals',
    nav: 'approvals',
    body: (
      <>
        <h1>Pending approvals</h1>
        <p>
          {'What waits for a person, and the command that moves it on. This page only reads: it has no button and never shows a token. '}
          {'Approving a PR takes the confirm token printed when the PR was requested, which the operator holds (agentpr keeps only its hash); '}
          {'a lost token is replaced by requesting the PR again ('}
          <code>agentpr request-open-pr --run-id RUN</code>
          {'). In Telegram, '}
          <code>/approve_pr RUN</code>
          {' shows the approval card in an admin chat.'}
        </p>
        {view.total === 0 ? (
          <EmptyState title="Nothing waits for a person.">
            <p>Runs appear here when a PR request waits for approval, CI fails or a review asks for changes, a run is escalated, or it is paused.</p>
          </EmptyState>
        ) : (
          <>
            <nav aria-label="Groups">
              <ul>
                {view.groups.map((g) => (
                  <li>
                    <a href={`#group-${g.reason}`}>{`${g.title}: ${g.items.length}`}</a>
                  </li>
                ))}
              </ul>
            </nav>
            {view.groups.map((g) => (
              <Group group={g} now={now} />
            ))}
          </>
        )}
      </>
    ),
  };
};
