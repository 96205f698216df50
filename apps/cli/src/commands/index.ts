import type { CommandSpec } from '../command.js';

/** A registered command: its one-line summary (for help without loading it) and a lazy loader. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: CommandSpec }>;
}

/**
 * Every CLI command. Modules load lazily so `agentpr list-runs` only loads what it uses.
 * Add one line per command, in the order help should list them.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  'init-db': { summary: 'Create the database or bring its schema up to date.', load: () => import('./init-db.js') },
  'create-run': { summary: 'Create a run for one repository (state QUEUED).', load: () => import('./create-run.js') },
  'import-runs': { summary: 'Create many runs from a JSON/JSONL file, all or nothing.', load: () => import('./import-runs.js') },
  'list-runs': { summary: 'List the most recently updated runs.', load: () => import('./list-runs.js') },
  'show-run': { summary: 'Show one run: its state, linked issue, gate verdicts, tokens and cost.', load: () => import('./show-run.js') },
  'start-discovery': { summary: 'Move a run into DISCOVERY.', load: () => import('./start-discovery.js') },
  'mark-plan-ready': { summary: 'Record the contract; the run moves to PLAN_READY.', load: () => import('./mark-plan-ready.js') },
  'start-implementation': { summary: 'Move a run into IMPLEMENTING.', load: () => import('./start-implementation.js') },
  'mark-local-validated': { summary: 'Record that local validation passed (LOCAL_VALIDATING).', load: () => import('./mark-local-validated.js') },
  'link-pr': { summary: 'Link an existing PR to a pushed run (CI_WAIT).', load: () => import('./link-pr.js') },
  'record-check': { summary: 'Record a CI conclusion for a run.', load: () => import('./record-check.js') },
  'record-review': { summary: 'Record a review for a run.', load: () => import('./record-review.js') },
  'mark-done': { summary: 'Mark a run DONE.', load: () => import('./mark-done.js') },
  pause: { summary: 'Pause a run.', load: () => import('./pause.js') },
  resume: { summary: 'Resume a paused run.', load: () => import('./resume.js') },
  retry: { summary: 'Retry a failed run at the stage it left or earlier.', load: () => import('./retry.js') },
  'request-open-pr': { summary: 'Ask to open a PR for a pushed run: bind the branch head and print a one-time confirm token.', load: () => import('./request-open-pr.js') },
  'approve-open-pr': { summary: 'Open the requested PR after re-checking the token, the branch head and the Definition of Done.', load: () => import('./approve-open-pr.js') },
  'sync-github': { summary: 'Poll GitHub for the PRs of waiting runs and apply merges, CI roll-ups and reviews.', load: () => import('./sync-github.js') },
  'run-github-webhook': { summary: 'Run the signed GitHub webhook receiver until stopped (agentpr-webhook).', load: () => import('./run-github-webhook.js') },
  'cleanup-webhook-deliveries': { summary: 'Delete webhook delivery records older than --keep-days.', load: () => import('./cleanup-webhook-deliveries.js') },
  'webhook-audit-summary': { summary: 'Summarise the webhook audit log; exit 1 when a threshold is crossed.', load: () => import('./webhook-audit-summary.js') },
  'webhook-probe': { summary: 'Probe a deployed webhook URL: signed delivery, replay dedup, bad signature, size limit.', load: () => import('./webhook-probe.js') },
  'run-prepare': { summary: "Clone the upstream into the run's workspace and create its feature branch.", load: () => import('./run-prepare.js') },
  'run-preflight': { summary: "Check the run's workspace (scope, .git, toolchain, sandbox) and write a report.", load: () => import('./run-preflight.js') },
  'run-finish': { summary: 'Commit the measured changes and push the feature branch to the fork.', load: () => import('./run-finish.js') },
  doctor: { summary: 'Check that this machine is ready for agentpr commands.', load: () => import('./doctor.js') },
  'install-skills': { summary: 'Install the agentpr stage skills into $CODEX_HOME/skills.', load: () => import('./install-skills.js') },
  'skills-status': { summary: 'Show which stage skills are installed, missing or outdated.', load: () => import('./skills-status.js') },
  'run-telegram-bot': { summary: 'Run the Telegram control bot (commands, approvals, notifications).', load: () => import('./run-telegram-bot.js') },
  analyze: { summary: 'Judge an agent event stream file: verdict, reason, the commands that decided it, digest.', load: () => import('./analyze.js') },
  'inspect-run': { summary: 'Inspect a run: state, accepted next commands, step timing, events and its latest runtime verdict.', load: () => import('./inspect-run.js') },
  'run-bottlenecks': { summary: 'Show which steps are slow and which runs took longest.', load: () => import('./run-bottlenecks.js') },
  'skills-metrics': { summary: 'Count agent outcomes per skills mode, grade, reason and skill.', load: () => import('./skills-metrics.js') },
  'skills-feedback': { summary: 'Suggest prompt, skill and policy changes from recent agent outcomes, and write them as a report.', load: () => import('./skills-feedback.js') },
  'run-agent-step': { summary: 'Run the coding agent once, judge the attempt and move the run.', load: () => import('./run-agent-step.js') },
  'manager-tick': { summary: 'One manager pass over the active runs.', load: () => import('./manager-tick.js') },
  'run-manager-loop': { summary: 'Run manager ticks forever (agentpr-manager).', load: () => import('./run-manager-loop.js') },
  drive: { summary: 'Drive one run with manager ticks until it waits for a human.', load: () => import('./drive.js') },
  inbox: { summary: 'List what needs a human now, grouped by reason, with the next command.', load: () => import('./inbox.js') },
  'pending-prs': { summary: 'List the PR requests waiting for approval, with their expiry and whether they are stale.', load: () => import('./pending-prs.js') },
  'reset-workspace': { summary: "Reset a run's workspace to its base commit (or last pushed head), keeping a patch of what it discards.", load: () => import('./reset-workspace.js') },
  'dev-stack': { summary: 'Start the local GitHub stand-in and model stub, print the environment to use, and serve until Ctrl-C.', load: () => import('./dev-stack.js') },
  ask: { summary: 'Ask in plain words (one question, or an ask> session on a terminal); every change waits for your confirmation.', load: () => import('./ask.js') },
  'assistant-metrics': { summary: 'Show what the manager LLM was asked and spent: requests by outcome, tokens, tool calls and cost per day, chat and model.', load: () => import('./assistant-metrics.js') },
  'campaign-report': { summary: 'Report a campaign: funnel, merge rate, time to response and merge, tokens and cost per run, repository and merged PR.', load: () => import('./campaign-report.js') },
  'pr-followup': { summary: "Read agentpr's open PRs: maintainer responses, merges, closes with why, and the campaign's stale follow-up.", load: () => import('./pr-followup.js') },
  dashboard: { summary: 'Serve the read-only web dashboard on 127.0.0.1:8790 (agentpr-dashboard).', load: () => import('./dashboard.js') },
  'repo-policy': { summary: "Show a repository's stance on AI contributions (quoting its contribution documents) and the campaign's action.", load: () => import('./repo-policy.js') },
  'link-issue': { summary: 'Tie a run to an issue of its upstream repository (checked on GitHub), or untie it with --clear.', load: () => import('./link-issue.js') },
};
