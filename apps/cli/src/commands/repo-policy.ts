import type { RepoPolicyResult } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { flag, requireStr, str } from '../values.js';

/** What a campaign action does to a run, in words. */
const ACTION_WORDS: Readonly<Record<RepoPolicyResult['action'], string>> = {
  skip: 'skip the repository: its runs end as SKIPPED with the quote as the reason',
  require_issue: 'require a linked issue before a PR request (agentpr link-issue), and disclose AI assistance in the PR body',
  disclose: 'add the AI disclosure to the PR body',
  proceed: 'proceed without a disclosure',
};

/** A quote on one line, clipped for a terminal. */
function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The JSON document: the result with snake_case keys, the agent instruction files by path only. */
export function repoPolicyOutput(r: RepoPolicyResult): Record<string, unknown> {
  return {
    owner: r.owner,
    repo: r.repo,
    stance: r.stance,
    reused: r.kind === 'reused',
    checked_at: r.checkedAt,
    evidence: r.evidence,
    documents: r.documents,
    unread: r.unread,
    agent_instruction_files: r.agentInstructions.map((a) => a.path),
    campaign: r.campaign,
    action: r.action,
    disclosure: r.disclosure,
    recheck_hours: r.recheckHours,
  };
}

/** The result for a terminal: the stance, its quotes with their paths, the documents read, and the campaign's action. */
export function repoPolicyText(r: RepoPolicyResult): string {
  const when = r.kind === 'reused' ? `reused from ${r.checkedAt}; --refresh reads again` : `read ${r.checkedAt}`;
  const lines = [`${r.owner}/${r.repo}: AI stance ${r.stance} (${when})`];
  for (const e of r.evidence) lines.push(`  ${e.path}: "${oneLine(e.quote)}" [${e.rule}]`);
  if (r.evidence.length === 0) lines.push('  no sentence about AI contributions found');
  lines.push(r.documents.length === 0 ? 'documents read: none found' : `documents read (${r.documents.length}):`);
  for (const d of r.documents) lines.push(`  ${d.path} (${d.kind}, ${size(d.bytes)}${d.truncated ? ', truncated' : ''})`);
  for (const d of r.unread) lines.push(`  not read: ${d.path} (${d.reason === 'not_text' ? 'not text: binary or not UTF-8' : d.reason.replace(/_/g, ' ')})`);
  lines.push(`campaign ${r.campaign}: ${r.action}: ${ACTION_WORDS[r.action]}`);
  return lines.join('\n');
}

/** `agentpr repo-policy`: a repository's stance on AI-generated contributions, and what the campaign would do. */
export const command: CommandSpec = {
  name: 'repo-policy',
  summary: "Show a repository's stance on AI contributions (quoting its contribution documents) and the campaign's action.",
  example: 'agentpr repo-policy --owner acme --repo widgets',
  gate: 'github',
  options: {
    owner: { type: 'string', value: 'OWNER', description: 'repository owner', required: true },
    repo: { type: 'string', value: 'REPO', description: 'repository name', required: true },
    refresh: { type: 'boolean', description: 'read the documents again even when a recent classification is stored' },
    campaign: { type: 'string', value: 'NAME', description: 'the campaign whose action to show (default: the campaign folder in use)' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL; default https://api.github.com)' },
  },
  async run(ctx, values) {
    const { checkRepoPolicy, createGitHubPort } = await import('@agentpr/orchestrator');
    const opened = await ctx.app();
    const app = { ...opened, github: createGitHubPort(opened.env, { apiUrl: str(values, 'github-api-url'), log: opened.log }) };
    const result = await checkRepoPolicy(app, {
      owner: requireStr(values, 'owner'),
      repo: requireStr(values, 'repo'),
      refresh: flag(values, 'refresh'),
      ...(str(values, 'campaign') !== undefined ? { campaign: str(values, 'campaign') } : {}),
    });
    return { output: repoPolicyOutput(result), text: repoPolicyText(result) };
  },
};
