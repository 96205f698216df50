import { parseHeldFacts, type RunState } from '@agentpr/state-machine';
import type { PlacementView, RunWithState } from '@agentpr/store';

/**
 * What show-run adds when its caller read it (the CLI does, from the store and the policy's price table): the tokens
 * and cost of the run's agent attempts, and the latest verdict of each citizenship gate. Typed structurally so this
 * view stays free of the reports package.
 */
export interface ShowRunExtras {
  /** Token totals and cost (`@agentpr/reports` `CostSummary`). */
  usage: { total_tokens: number; cost: number | null; currency: string; notes: string[] };
  /** Each gate's latest verdict (`@agentpr/reports` `GateVerdictView`). */
  gates: ReadonlyArray<{ gate: string; outcome: string }>;
}

/**
 * The show-run document for a run: the run (with its campaign and linked issue), its state, `last_error`,
 * `last_active_state`, `held_facts` (while the run is PAUSED or NEEDS_HUMAN_REVIEW, the GitHub facts `resume` will act
 * on; null when none), while it is PAUSED, `paused_from` (where `resume` returns it without held facts; null for runs
 * paused before it was kept), and with `extras` the run's `usage` (tokens and cost) and `gates` (latest verdicts).
 */
export function showRunView({ run, state }: RunWithState, extras?: ShowRunExtras): Record<string, unknown> {
  let budget: unknown;
  try {
    budget = JSON.parse(run.budget_json);
  } catch {
    budget = {};
  }
  return {
    run: {
      run_id: run.run_id,
      owner: run.owner,
      repo: run.repo,
      prompt_version: run.prompt_version,
      mode: run.mode,
      budget,
      workspace_dir: run.workspace_dir,
      pr_number: run.pr_number,
      campaign: run.campaign ?? null,
      linked_issue: run.linked_issue ?? null,
      created_at: run.created_at,
      updated_at: run.updated_at,
    },
    state: state.current_state,
    last_error: state.last_error,
    last_active_state: state.last_active_state,
    held_facts: parseHeldFacts(state.held_facts_json),
    ...(state.current_state === 'PAUSED' ? { paused_from: state.paused_from ?? null } : {}),
    ...(extras ? { usage: extras.usage, gates: extras.gates } : {}),
  };
}

/** What refines the state-only next commands of a run (see {@link nextCommands}). */
export interface NextCommandFacts {
  runId: string;
  state: RunState;
  /** The PR linked to the run, unless the store knows it was closed. */
  openPr: number | null;
  /** The PR request of the pushed head waiting for approval: its request file, or null when there is none. */
  pendingRequestFile: string | null;
}

/**
 * The commands to suggest next (inspect-run), where the run's facts know better than its state: a PUSHED run whose
 * PR is open (a CI-fix round re-pushed it) waits for GitHub, not for a PR request; a PUSHED run with a pending PR
 * request waits for its approval; one without asks for the request. Other states keep `stateOnly`.
 *
 * @example
 * nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: 12, pendingRequestFile: null }, [])[0]; // 'agentpr sync-github --run-id run_1'
 */
export function nextCommands(facts: NextCommandFacts, stateOnly: readonly string[]): string[] {
  if (facts.state !== 'PUSHED') return [...stateOnly];
  const id = `--run-id ${facts.runId}`;
  if (facts.openPr !== null) {
    return [`agentpr sync-github ${id}`, `PR #${facts.openPr} is open: the webhook or the manager's sync moves the run to CI_WAIT once GitHub shows the pushed head`];
  }
  if (facts.pendingRequestFile !== null) {
    return [
      `agentpr approve-open-pr ${id} --request-file ${facts.pendingRequestFile} --confirm-token <token> --confirm`,
      'approve on the Telegram card, or re-issue the request for a fresh confirm token (it is never logged):',
      `agentpr request-open-pr ${id}`,
    ];
  }
  return [`agentpr request-open-pr ${id}`, 'the manager loop writes the PR request on its own (title and body rendered from the campaign template)'];
}

/** Where a run lives across hosts (see `runPlacement`): who holds its lease, which host holds its workspace, and where. */
export type { PlacementView } from '@agentpr/store';

/**
 * The placement lines of show-run's and inspect-run's text: who works the run, where its workspace is, and its path
 * here (with the creation path when it differs). Host names are shown as stored, cut to 64 characters.
 *
 * @example
 * placementLines(view); // ['hosts: lease held by worker-2 (pid 4242) until 2026-…; workspace on worker-2, this host is worker-1', 'workspace here: /srv/…']
 */
export function placementLines(p: PlacementView): string[] {
  const name = (h: string | null): string => (h === null ? 'an unnamed holder' : h.slice(0, 64));
  const lease = p.lease ? `lease held by ${name(p.lease.host)}${p.lease.pid !== null ? ` (pid ${p.lease.pid})` : ''} until ${p.lease.expires_at}` : 'lease free';
  const workspace = p.workspace_host === null ? 'workspace on no recorded host' : `workspace on ${name(p.workspace_host)}${p.workspace_host === p.this_host ? ' (this host)' : ''}`;
  const here = p.local_workspace_dir ?? `(none: ${JSON.stringify(p.workspace_rel.slice(0, 80))} leaves the workspace root)`;
  const created = p.local_workspace_dir !== p.created_workspace_dir ? ` (created at ${p.created_workspace_dir})` : '';
  return [`hosts: ${lease}; ${workspace}; this host is ${name(p.this_host)}`, `workspace here: ${here}${created}`];
}
