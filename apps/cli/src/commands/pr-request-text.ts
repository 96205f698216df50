import type { RequestOpenPrResult, RequestedPr } from '@agentpr/orchestrator';

/** The most body lines the text output shows; the request file holds it all. */
const BODY_PREVIEW_LINES = 40;

/** The text output: what approval will open (title, branches, body) and how to approve it; or the gate that stopped it. */
export function requestText(result: RequestOpenPrResult): string {
  return result.kind === 'gated' ? result.message : writtenText(result);
}

/** A written request: title, branches, where the text came from, the body, the token and the approve command. */
function writtenText(result: RequestedPr): string {
  const { preview, pr_text: from } = result;
  const lines = preview.body.trimEnd().split('\n');
  const body = lines.length > BODY_PREVIEW_LINES ? [...lines.slice(0, BODY_PREVIEW_LINES), `… (${lines.length - BODY_PREVIEW_LINES} more lines in the request file)`] : lines;
  const template = from.repo_template ? `, inside the repository's ${from.repo_template}` : '';
  return [
    `PR request for ${result.run_id}: "${preview.title}" ${preview.head} → ${preview.base}${preview.draft ? ' (draft)' : ''}`,
    `title from: ${from.title_from}; body from: ${from.body_from}${template}${citizenshipNote(result)}`,
    '',
    ...body.map((l) => `  │ ${l}`),
    '',
    `request file: ${result.request_file}`,
    `confirm token (shown once, valid until ${result.expires_at}): ${result.confirm_token}`,
    `approve with: ${result.next_command}`,
    ...(result.replaced ? [`replaces the open request ${result.replaced.request_file}: its token and approval card no longer work`] : []),
  ].join('\n');
}

/** What the repository's policy added to the body: `; adds the AI disclosure and Closes #12`, or nothing. */
function citizenshipNote(result: RequestedPr): string {
  const added = [result.citizenship.disclosure ? 'the AI disclosure' : '', result.citizenship.issue_number !== null ? `Closes #${result.citizenship.issue_number}` : ''].filter(Boolean);
  return added.length ? `; adds ${added.join(' and ')}` : '';
}
