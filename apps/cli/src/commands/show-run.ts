import { placementLines, showRunView } from '@agentpr/orchestrator/views';
import type { CostSummary, EngineUsage, GateVerdictView } from '@agentpr/reports';
import type { RunFacts, RunWithState } from '@agentpr/store';
import type { CommandContext, CommandSpec } from '../command.js';
import { requireStr } from '../values.js';
import { readFast } from '../fast-read.js';
import { clip } from '../render.js';

// show-run stays close to bare Node on an up-to-date SQLite store: the run and its facts (usage, gates, lease) come
// from the read-only fast path (`@agentpr/store/sqlite-reader`, no kysely), its placement is worked out from them
// without opening the store, and the reports (and the policy, for prices) load only for a run that has agent
// attempts or gate verdicts to show.

/** The usage of a run without agent attempts: the shape of `CostSummary`, checked by its type. */
const NO_USAGE: CostSummary = {
  agent_attempts: 0,
  attempts_with_usage: 0,
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
  cost: 0,
  currency: 'USD',
  notes: [],
};

/** What show-run adds to the run: usage in total and per engine and model, and the gates' latest verdicts. */
interface Extras {
  usage: CostSummary;
  usageByEngine: EngineUsage[];
  gates: GateVerdictView[];
  lines: string[];
}

/** The run's usage and gate verdicts as show-run shows them, priced with the policy's table only when it has tokens. */
async function extrasOf(facts: RunFacts, policyFile: string): Promise<Extras> {
  if (facts.usage.length === 0 && facts.gates.length === 0) return { usage: NO_USAGE, usageByEngine: [], gates: [], lines: [] };
  const { engineUsage, gateVerdictLines, gateVerdictViews, pricedCost, pricingFor } = await import('@agentpr/reports');
  const gates = gateVerdictViews(facts.gates);
  const priced = await pricingFor(facts.usage, policyFile);
  return { usage: pricedCost(facts.usage, priced), usageByEngine: engineUsage(facts.usage, priced), gates, lines: gateVerdictLines(gates) };
}

/** The run and its facts: through the SQLite fast path when it applies, else through the full store. */
async function readRun(ctx: CommandContext, runId: string): Promise<{ found: RunWithState; facts: RunFacts }> {
  const fast = await readFast(ctx, (reader) => {
    const found = reader.getRun(runId);
    return found ? { found, facts: reader.runFacts(runId) } : null;
  });
  if (fast) return fast;
  const app = await ctx.app();
  const { getLease, latestGateChecks, requireRun, runUsage } = await import('@agentpr/store');
  const found = await requireRun(app.db, runId);
  const lease = (await getLease(app.db, runId)) ?? null;
  const facts: RunFacts = { usage: await runUsage(app.db, runId), gates: await latestGateChecks(app.db, runId), lease };
  return { found, facts };
}

/** A count as a person reads it: 12,316,000 (not `toLocaleString`, whose first call loads ICU data: ~25 ms). */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Money for a terminal: `$0.0123` in USD, `0.0123 EUR` otherwise; `unknown` when it has no price. */
export function money(cost: number | null, currency: string): string {
  if (cost === null) return 'unknown';
  const digits = cost !== 0 && cost < 0.01 ? 4 : 2;
  return currency === 'USD' ? `$${cost.toFixed(digits)}` : `${cost.toFixed(digits)} ${currency}`;
}

/** One line per engine and model: `  claude · claude-sonnet-4-5: 2 attempts, 41,000 tokens, $0.18`. */
export function engineUsageLines(rows: readonly EngineUsage[], currency: string): string[] {
  return rows.map((e) => `  ${clip(e.label, 200)}: ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}, ${count(e.total_tokens)} tokens, ${money(e.cost, currency)}`);
}

/** The usage lines of show-run's and inspect-run's text: the totals, then each engine and model, then the notes. */
export function usageLines(usage: CostSummary, byEngine: readonly EngineUsage[] = []): string[] {
  const parts = `${count(usage.input_tokens)} in (${count(usage.cached_input_tokens)} cached), ${count(usage.output_tokens)} out (${count(usage.reasoning_tokens)} reasoning)`;
  return [
    `tokens: ${count(usage.total_tokens)} over ${usage.agent_attempts} agent attempts — ${parts}; cost ${money(usage.cost, usage.currency)}`,
    ...engineUsageLines(byEngine, usage.currency),
    ...usage.notes.map((n) => `  note: ${n}`),
  ];
}

/** `agentpr show-run`: one run and its state, its tokens and cost, and its gates' latest verdicts. */
export const command: CommandSpec = {
  name: 'show-run',
  summary: 'Show one run: its state, which host holds it and its workspace, tokens and cost, and the latest verdict of each gate.',
  example: 'agentpr show-run --run-id run_45f3cbdcdc56',
  options: { 'run-id': { type: 'string', value: 'ID', description: 'the run', required: true } },
  async run(ctx, values) {
    const runId = requireStr(values, 'run-id');
    const { found, facts } = await readRun(ctx, runId);
    const extras = await extrasOf(facts, ctx.base.paths.policyFile);
    const { describePlacement } = await import('@agentpr/store/sqlite-reader');
    const { env, paths, clock } = ctx.base;
    const placement = describePlacement(found, facts.lease, { env, workspaceRoot: paths.workspaceRoot, now: clock().toISOString() });
    const output = { ...showRunView(found, extras), usage_by_engine: extras.usageByEngine, placement };
    const { run, state } = found;
    const text = [
      `${run.run_id}  ${run.owner}/${run.repo}  ${state.current_state}${run.pr_number ? `  PR #${run.pr_number}` : ''}${run.campaign ? `  campaign ${run.campaign}` : ''}`,
      ...(state.last_error ? [`last error: ${state.last_error}`] : []),
      ...(run.linked_issue ? [`linked issue: #${run.linked_issue}`] : []),
      ...placementLines(placement),
      `created ${run.created_at}, updated ${run.updated_at}`,
      ...usageLines(extras.usage, extras.usageByEngine),
      ...(extras.lines.length ? ['gates (latest verdict each):', ...extras.lines] : ['gates: none checked yet']),
    ].join('\n');
    return { output, text };
  },
};
