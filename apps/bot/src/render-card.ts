import type { PrRequestCard } from '@agentpr/orchestrator';
import { expiryText } from './expiry-text.js';

/** How much of the PR body a card shows. */
export const CARD_BODY_CHARS = 600;
const CARD_BODY_LINES = 12;
const CARD_FILES = 10;

/** `abc1234`: the short form of a SHA people read. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

function count(n: number | null): string {
  return n === null ? 'binary' : String(n);
}

function filesLines(files: PrRequestCard['files']): string[] {
  if (files === null) return ['Files: (the diff could not be read)'];
  const added = files.reduce((sum, f) => sum + (f.added ?? 0), 0);
  const deleted = files.reduce((sum, f) => sum + (f.deleted ?? 0), 0);
  const lines = [`Files: ${files.length} (+${added} −${deleted})`];
  for (const f of files.slice(0, CARD_FILES)) lines.push(`  ${f.path}  +${count(f.added)} −${count(f.deleted)}`);
  if (files.length > CARD_FILES) lines.push(`  … and ${files.length - CARD_FILES} more`);
  return lines;
}

/** The start of the body: at most {@link CARD_BODY_CHARS} characters and 12 lines, marked when cut. */
export function bodyStart(body: string): string {
  const trimmed = body.trim();
  let text = trimmed.split('\n').slice(0, CARD_BODY_LINES).join('\n');
  if (text.length > CARD_BODY_CHARS) text = text.slice(0, CARD_BODY_CHARS);
  return text.length < trimmed.length ? `${text.trimEnd()} …` : text;
}

function dodLine(card: PrRequestCard): string {
  if (!card.dod) return `DoD: not evaluated (${card.dod_error ?? 'unknown error'})`;
  const s = card.dod.snapshot;
  const facts = s ? ` — ${s.grade}, ${s.test_command_count} test command(s), ${s.changed_files_count} file(s), +${s.added_lines} lines` : '';
  if (card.dod.kind === 'passed') return `DoD: passed${facts}`;
  const failed = card.dod.failed_checks.slice(0, 4).map((c) => `${c.code}: ${c.message}`).join('; ');
  return `DoD: FAILED${facts}\n  ${failed}\n  Approval is refused until the run is fixed (the CLI can bypass, audited).`;
}

/** Why a request that is not open cannot be approved, in one line. */
export const STATUS_NOTE: Readonly<Record<Exclude<PrRequestCard['status'], 'open'>, string>> = {
  used: 'This request was already used (approved or rejected).',
  replaced: 'A newer request of this run replaced this one.',
  stale: 'Stale: the run pushed again or moved on since this request.',
  expired: 'Expired: re-issue it with agentpr request-open-pr.',
};

/**
 * The approval card's text (plain text, no markup): repository and run, title, base and head (branch and short
 * SHA), the files with +/- line counts, the start of the body, the DoD gate and when the request expires.
 *
 * @example
 * cardText(card, new Date()) // "PR request: octo-org/widgets (run run_1)\nTitle: feat(widgets): …"
 */
export function cardText(card: PrRequestCard, now: Date): string {
  const lines = [
    `PR request: ${card.owner}/${card.repo} (run ${card.run_id})`,
    `Title: ${card.title}${card.draft ? ' [draft]' : ''}`,
    `Base: ${card.base} ← head: ${card.head} @ ${shortSha(card.head_sha)}`,
    ...filesLines(card.files),
    'Body:',
    bodyStart(card.body)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
    dodLine(card),
  ];
  const expires = Date.parse(card.expires_at);
  lines.push(expires >= now.getTime() ? `Expires ${expiryText(card.expires_at, now)}.` : `Expired ${expiryText(card.expires_at, now)}.`);
  if (card.status !== 'open') lines.push(STATUS_NOTE[card.status]);
  else lines.push('Approve opens this PR after a confirming tap; Reject closes the request.');
  return lines.join('\n');
}

/** The question of the confirming tap: "Confirm approve octo-org/widgets#abc1234?". */
export function confirmText(card: { repo: string; head_sha: string }): string {
  return `Confirm approve ${card.repo}#${shortSha(card.head_sha)}?`;
}
