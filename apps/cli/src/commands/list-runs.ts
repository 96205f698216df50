import { AgentprError } from '@agentpr/orchestrator/errors';
import { formatDuration } from '@agentpr/reports/format-duration';
import { isRunState, RUN_STATES, type RunState } from '@agentpr/state-machine';
import type { RunListFilter, RunListItem } from '@agentpr/store';
import type { CommandSpec, OptionValues } from '../command.js';
import { clip, table } from '../render.js';
import { int, list, str } from '../values.js';
import { readFast } from '../fast-read.js';

async function listRuns(app: import('@agentpr/orchestrator').AppContext, options: { limit: number } & RunListFilter): Promise<{ runs: RunListItem[] }> {
  return (await import('@agentpr/orchestrator')).listRuns(app, options);
}

/** `--state` values (repeated or comma-separated, any case) as states; anything else is a usage error naming the states. */
function parseStates(values: OptionValues): RunState[] | undefined {
  const raw = list(values, 'state').flatMap((v) => v.split(','));
  if (raw.length === 0) return undefined;
  return raw.map((value) => {
    const state = value.trim().toUpperCase();
    if (!isRunState(state)) throw new AgentprError('usage', `--state ${JSON.stringify(value.trim())} is not a state; use one of ${RUN_STATES.join(', ')}`);
    return state;
  });
}

/** `--repo OWNER/REPO`; the look-up is case-insensitive, as on GitHub. */
function parseRepo(values: OptionValues): RunListFilter['repo'] {
  const raw = str(values, 'repo');
  if (raw === undefined) return undefined;
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(raw.trim());
  if (!match) throw new AgentprError('usage', `--repo must be OWNER/REPO (e.g. octo-org/widgets), got ${JSON.stringify(raw)}`);
  return { owner: match[1]!, repo: match[2]! };
}

function parseCampaign(values: OptionValues): string | undefined {
  const raw = str(values, 'campaign');
  if (raw === undefined) return undefined;
  if (raw.trim() === '') throw new AgentprError('usage', '--campaign needs a campaign name');
  return raw.trim();
}

/** `agentpr list-runs`: the most recently updated runs, narrowed by state, repository and campaign. */
export const command: CommandSpec = {
  name: 'list-runs',
  summary: 'List the most recently updated runs, optionally only those in some states, of one repository or of one campaign.',
  example: 'agentpr list-runs --state NEEDS_HUMAN_REVIEW --state PAUSED --repo octo-org/widgets --campaign example --limit 20',
  options: {
    limit: { type: 'string', value: 'N', description: 'how many (default 50)' },
    state: {
      type: 'string',
      multiple: true,
      value: 'STATE',
      description: `only runs in this state; repeat it or separate states by commas for several (${RUN_STATES.join(', ')})`,
    },
    repo: { type: 'string', value: 'OWNER/REPO', description: 'only runs of this repository (case-insensitive)' },
    campaign: { type: 'string', value: 'NAME', description: 'only runs created under this campaign (the name in its campaign.json; "default" without one)' },
  },
  async run(ctx, values) {
    const limit = int(values, 'limit', { min: 1, default: 50 })!;
    const filter: RunListFilter = { states: parseStates(values), repo: parseRepo(values), campaign: parseCampaign(values) };
    const filtered = filter.states !== undefined || filter.repo !== undefined || filter.campaign !== undefined;
    const output = (await readFast(ctx, (reader) => ({ runs: reader.listRuns(limit, filter) }))) ?? (await listRuns(await ctx.app(), { limit, ...filter }));
    const now = ctx.base.clock().getTime();
    const age = (at: string) => {
      const ms = now - Date.parse(at);
      return Number.isFinite(ms) ? `${formatDuration(ms)} ago` : at;
    };
    const text =
      output.runs.length === 0
        ? filtered
          ? 'no runs match these filters'
          : 'no runs yet — create one with `agentpr create-run --owner O --repo R --prompt-version v1`'
        : table(
          ['RUN', 'REPO', 'CAMPAIGN', 'STATE', 'PR', 'UPDATED', 'LAST ERROR'],
          output.runs.map((r) => [
            r.run_id,
            `${r.owner}/${r.repo}`,
            r.campaign ?? '-',
            r.current_state,
            r.pr_number === null ? '-' : `#${r.pr_number}`,
            age(r.updated_at),
            clip(r.last_error, 60),
          ]),
        );
    return { output, text };
  },
};
