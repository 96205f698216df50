import { readFileSync } from 'node:fs';
import type { RunRow } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { renderPrText, type TitleSource } from './pr-text.js';
import { checkPrText, type PrTextProblem } from './pr-text-check.js';
import { campaignTitles, gatherPrTextSources, loadPrCampaign, type PushedHead } from './pr-text-sources.js';

/** Where a request's body came from: `--body`, `--body-file`, the campaign's template or the built-in one. */
export type BodySource = 'flag' | 'file' | 'campaign_template' | 'default_template';

/** The title and body a PR request binds, and where they came from. */
export interface PrText {
  title: string;
  body: string;
  title_from: TitleSource;
  body_from: BodySource;
  /** The repository PR template the rendered body fills, relative to the workspace; null when none was used. */
  repo_template: string | null;
  /** A repository template that was found but not read (a symlink, too large), and why. */
  repo_template_refused?: { path: string; reason: string };
}

/** The operator's PR text, each part optional: what is not given is rendered from the campaign template. */
export interface PrTextInput {
  title?: string | undefined;
  body?: string | undefined;
  bodyFile?: string | undefined;
}

/** The body the operator gave (`--body` or `--body-file`), or undefined to render it. */
function givenBody(input: PrTextInput): { body: string; from: 'flag' | 'file' } | undefined {
  if (input.body !== undefined && input.bodyFile !== undefined) throw new AgentprError('usage', 'pass at most one of --body and --body-file (or neither, to render the campaign template).');
  let given: { body: string; from: 'flag' | 'file' } | undefined;
  if (input.body !== undefined) given = { body: input.body, from: 'flag' };
  if (input.bodyFile !== undefined) {
    try {
      given = { body: readFileSync(input.bodyFile, 'utf8'), from: 'file' };
    } catch (error) {
      throw new AgentprError('io', `cannot read --body-file ${input.bodyFile}: ${(error as Error).message}`);
    }
  }
  if (given && !given.body.trim()) throw new AgentprError('usage', 'the PR body is blank; write a description with --body or --body-file, or pass neither to render the campaign template.');
  return given;
}

/** The one-line refusal of a PR text that {@link checkPrText} found problems in; nothing has been written. */
export function prTextRefusal(problems: readonly PrTextProblem[]): AgentprError {
  const what = problems.map((p) => p.message).join('; ');
  return new AgentprError('refused', `request-open-pr refuses this PR text: ${what}. Pass a specific --title, or fill the campaign's pr_description_template.md (title: and {placeholders}).`, {
    details: { reason: problems[0]!.code, pr_text_checks: problems },
  });
}

/**
 * The PR text of a request: `--title` and `--body`/`--body-file` as given, and whatever is missing rendered from
 * the campaign's `pr_description_template.md` with the run's own content (renderPrText). Either way the result
 * must pass {@link checkPrText} — a specific title, no unfilled `{placeholders}` — or it is refused (`AgentprError`
 * `refused`, details `reason` = the check's code) before anything is written.
 */
export async function resolvePrText(ctx: AppContext, run: RunRow, input: PrTextInput, pushed: PushedHead): Promise<PrText> {
  if (input.title !== undefined && !input.title.trim()) throw new AgentprError('usage', '--title is empty; give the PR a title, or leave --title out to render it from the campaign template.');
  const given = givenBody(input);
  let text: PrText;
  let titles: Array<string | null | undefined>;
  if (given && input.title !== undefined) {
    text = { title: input.title.trim(), body: given.body, title_from: 'flag', body_from: given.from, repo_template: null };
    titles = await campaignTitles(ctx);
  } else {
    const { campaign, template, templateFile } = await loadPrCampaign(ctx);
    const { sources, repoTemplate } = await gatherPrTextSources(ctx, run, pushed, campaign);
    const rendered = renderPrText(template, sources, { title: input.title });
    text = {
      title: rendered.title,
      body: given?.body ?? rendered.body,
      title_from: rendered.title_from,
      body_from: given?.from ?? (templateFile ? 'campaign_template' : 'default_template'),
      repo_template: given ? null : rendered.repo_template,
      ...(repoTemplate.kind === 'refused' && !given ? { repo_template_refused: { path: repoTemplate.path, reason: repoTemplate.reason } } : {}),
    };
    titles = [campaign.default_commit_title, template.title];
  }
  const problems = checkPrText(text, { campaignTitles: titles });
  if (problems.length > 0) throw prTextRefusal(problems);
  return text;
}
