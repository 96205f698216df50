import type { GitHubClient, RepoDirEntry, RepoRef } from '@agentpr/github';

// A repository's contribution documents, read through the GitHub port: what its maintainers ask of contributors
// (CONTRIBUTING, the code of conduct, PR templates, an AI policy) and of coding agents (AGENTS.md, CLAUDE.md, …).
// Everything read here is hostile text: sizes are capped, control characters stripped, only regular files are read
// (a symlink or a submodule is never followed) and nothing is ever executed.

/** What a contribution document is for. */
export type ContributionDocumentKind = 'contributing' | 'agent_instructions' | 'pr_template' | 'code_of_conduct' | 'ai_policy';

/** One contribution document as read: its text is capped and cleaned. */
export interface ContributionDocument {
  /** The path in the repository, e.g. `.github/CONTRIBUTING.md`. */
  path: string;
  kind: ContributionDocumentKind;
  /** The blob SHA GitHub reported. */
  sha: string;
  /** The file's size in bytes, as GitHub reported it (before any cap). */
  bytes: number;
  /** The UTF-8 text, control characters stripped, at most {@link DOCUMENT_MAX_BYTES} (less when the total cap is near). */
  text: string;
  /** True when `text` is shorter than the file. */
  truncated: boolean;
}

/** A candidate that was not read, and why. */
export interface SkippedDocument {
  path: string;
  reason: 'not_a_regular_file' | 'absent' | 'total_cap' | 'count_cap' | 'not_text';
}

/** The documents of one repository, in a stable order (by kind, then path). */
export interface ContributionDocuments {
  /** False when the repository's root could not be listed (no such repository, or it is empty). */
  found: boolean;
  documents: ContributionDocument[];
  skipped: SkippedDocument[];
  /** GitHub requests made (directory listings and file reads). */
  requests: number;
}

/** Bytes kept of one document. */
export const DOCUMENT_MAX_BYTES = 64 * 1024;
/** Bytes kept of all documents of a repository together. */
export const DOCUMENTS_TOTAL_MAX_BYTES = 256 * 1024;
/** Documents read at most per repository (a repository with 40 PR templates gets the first ones). */
export const DOCUMENTS_MAX_COUNT = 24;
/** Files read at most from one template or rules folder (`.github/PULL_REQUEST_TEMPLATE/`, `.cursor/rules/`). */
const FOLDER_MAX_FILES = 5;

const TEXT_EXT = '(?:\\.(?:md|markdown|rst|txt|adoc|mdc))?';
const ai = (name: string) => new RegExp(`^${name}$`, 'i');

/** File names (case-insensitive) of each kind, by folder: `''` the root, `.github`, `docs`. */
const NAMES: ReadonlyArray<{ kind: ContributionDocumentKind; folders: readonly string[]; name: RegExp }> = [
  { kind: 'contributing', folders: ['', '.github', 'docs'], name: ai(`contributing${TEXT_EXT}`) },
  { kind: 'code_of_conduct', folders: ['', '.github', 'docs'], name: ai(`code[_-]of[_-]conduct${TEXT_EXT}`) },
  { kind: 'pr_template', folders: ['', '.github', 'docs'], name: ai(`pull[_-]request[_-]template${TEXT_EXT}`) },
  {
    kind: 'ai_policy',
    folders: ['', '.github'],
    name: ai(`(?:ai|llm|genai|generative[_-]ai)(?:[_-](?:usage|use|contributions?|generated[_-]code|assisted[_-]contributions?))?[_-]?(?:policy|policies|guidelines?)${TEXT_EXT}`),
  },
  { kind: 'ai_policy', folders: ['docs'], name: ai(`(?:ai|llm|genai)(?:[_-][a-z0-9_-]*)?${TEXT_EXT}`) },
  { kind: 'agent_instructions', folders: ['', '.github'], name: ai(`(?:agents?|claude|gemini|copilot|codex)\\.md`) },
  { kind: 'agent_instructions', folders: [''], name: ai(`\\.(?:cursorrules|windsurfrules|clinerules)`) },
  { kind: 'agent_instructions', folders: ['.github'], name: ai('copilot-instructions\\.md') },
];

/** Folders whose text files are all documents of one kind, and where they may be. */
const FOLDERS: ReadonlyArray<{ kind: ContributionDocumentKind; parent: string; name: RegExp; files: RegExp }> = [
  { kind: 'pr_template', parent: '', name: /^pull_request_template$/i, files: /\.(?:md|markdown|txt)$/i },
  { kind: 'pr_template', parent: '.github', name: /^pull_request_template$/i, files: /\.(?:md|markdown|txt)$/i },
  { kind: 'pr_template', parent: 'docs', name: /^pull_request_template$/i, files: /\.(?:md|markdown|txt)$/i },
  { kind: 'agent_instructions', parent: '.github', name: /^instructions$/i, files: /\.instructions\.md$/i },
  { kind: 'agent_instructions', parent: '.cursor', name: /^rules$/i, files: /\.(?:mdc|md)$/i },
];

const KIND_ORDER: Readonly<Record<ContributionDocumentKind, number>> = {
  ai_policy: 0,
  contributing: 1,
  agent_instructions: 2,
  pr_template: 3,
  code_of_conduct: 4,
};

/**
 * The kind of contribution document a repository path is, or null when agentpr does not read it. Names compare
 * case-insensitively: `CONTRIBUTING.md`, `docs/contributing.rst`, `.github/AI_POLICY.md`, `docs/AI.md`, `AGENTS.md`,
 * `.github/copilot-instructions.md`, `.cursor/rules/style.mdc`, `.github/PULL_REQUEST_TEMPLATE/bug.md`.
 */
export function contributionDocumentKind(path: string): ContributionDocumentKind | null {
  const parts = path.split('/');
  const name = parts.pop() ?? '';
  const folder = parts.join('/');
  const direct = NAMES.find((n) => n.folders.some((f) => f.toLowerCase() === folder.toLowerCase()) && n.name.test(name));
  if (direct) return direct.kind;
  const parent = parts.slice(0, -1).join('/');
  const dir = parts.at(-1) ?? '';
  const inFolder = FOLDERS.find((f) => f.parent.toLowerCase() === parent.toLowerCase() && f.name.test(dir) && f.files.test(name));
  return inFolder?.kind ?? null;
}

// Every C0 control but tab and newline, DEL, C1 controls, and the bidi overrides a reader cannot see.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `text` with `\r\n` as `\n` and without control characters (tab and newline kept) or invisible bidi overrides. */
export function sanitizeDocumentText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** False for a binary file (a NUL byte) or text that is mostly not UTF-8 (more than 1 % replacement characters). */
export function looksLikeText(text: string): boolean {
  if (text.includes('\u0000')) return false;
  let replaced = 0;
  for (const ch of text) if (ch === '\ufffd') replaced += 1;
  return replaced <= Math.max(2, text.length / 100);
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

/** Whether a client can read repository contents (the optional port methods this module needs). */
export function canReadContents(github: GitHubClient): github is GitHubClient & Required<Pick<GitHubClient, 'getFile' | 'listDirectory'>> {
  return typeof github.getFile === 'function' && typeof github.listDirectory === 'function';
}

interface Candidate {
  path: string;
  kind: ContributionDocumentKind;
  type: RepoDirEntry['type'];
}

function join(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

function byOrder(a: Candidate, b: Candidate): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Lists the root, `.github` and `docs` once each (and a template or rules folder only when a listing shows it), and
 * picks the contribution documents by name, instead of probing every possible path. Directories that do not exist
 * cost one request and yield nothing.
 */
async function findCandidates(github: Required<Pick<GitHubClient, 'listDirectory'>>, repo: RepoRef, ref: string | undefined): Promise<{ found: boolean; candidates: Candidate[]; requests: number }> {
  let requests = 1;
  const root = await github.listDirectory(repo, '', ref ? { ref } : {});
  if (root === null) return { found: false, candidates: [], requests };
  const listings = new Map<string, RepoDirEntry[]>([['', root]]);
  const hasDir = (parent: string, name: RegExp | string) =>
    (listings.get(parent) ?? []).filter((e) => e.type === 'dir' && (typeof name === 'string' ? e.name.toLowerCase() === name : name.test(e.name)));
  for (const folder of ['.github', 'docs', '.cursor']) {
    const dir = hasDir('', folder)[0];
    if (!dir) continue;
    requests += 1;
    listings.set(folder, (await github.listDirectory(repo, dir.path, ref ? { ref } : {})) ?? []);
  }
  const candidates: Candidate[] = [];
  for (const [folder, entries] of listings) {
    for (const entry of entries) {
      if (entry.type === 'dir') continue;
      // Classified by the canonical folder name; read by the path GitHub reported.
      const kind = contributionDocumentKind(join(folder, entry.name));
      if (kind) candidates.push({ path: entry.path, kind, type: entry.type });
    }
  }
  for (const spec of FOLDERS) {
    for (const dir of hasDir(spec.parent, spec.name)) {
      requests += 1;
      const entries = (await github.listDirectory(repo, dir.path, ref ? { ref } : {})) ?? [];
      const files = entries.filter((e) => e.type !== 'dir' && spec.files.test(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const file of files.slice(0, FOLDER_MAX_FILES)) candidates.push({ path: file.path, kind: spec.kind, type: file.type });
    }
  }
  return { found: true, candidates: candidates.sort(byOrder), requests };
}

/**
 * Reads a repository's contribution documents through the GitHub port: CONTRIBUTING and the code of conduct (root,
 * `.github`, `docs`), PR templates (also the template folders), AI policy files (`AI_POLICY.md`, `.github/AI_POLICY.md`,
 * `docs/AI*.md`, `LLM_POLICY.md`, …) and agent instruction files (`AGENTS.md`, `CLAUDE.md`, `GEMINI.md`,
 * `.github/copilot-instructions.md`, `.cursorrules`, `.cursor/rules/*`, …). Each text is capped at
 * {@link DOCUMENT_MAX_BYTES}, all of them at {@link DOCUMENTS_TOTAL_MAX_BYTES}, and cleaned of control characters.
 * Symlinks and submodules are skipped, never followed. Throws what the client throws (a `GitHubError`).
 *
 * @example
 * const { documents } = await fetchContributionDocuments(github, { owner: 'acme', repo: 'widgets' });
 */
export async function fetchContributionDocuments(
  github: GitHubClient,
  repo: RepoRef,
  options: { ref?: string; maxBytes?: number; totalMaxBytes?: number; maxCount?: number } = {},
): Promise<ContributionDocuments> {
  if (!canReadContents(github)) throw new TypeError('this GitHub client cannot read repository contents (getFile and listDirectory are missing)');
  const maxBytes = options.maxBytes ?? DOCUMENT_MAX_BYTES;
  let budget = options.totalMaxBytes ?? DOCUMENTS_TOTAL_MAX_BYTES;
  const maxCount = options.maxCount ?? DOCUMENTS_MAX_COUNT;
  const found = await findCandidates(github, repo, options.ref);
  const documents: ContributionDocument[] = [];
  const skipped: SkippedDocument[] = [];
  let requests = found.requests;
  for (const candidate of found.candidates) {
    if (candidate.type !== 'file') {
      skipped.push({ path: candidate.path, reason: 'not_a_regular_file' });
      continue;
    }
    if (documents.length >= maxCount) {
      skipped.push({ path: candidate.path, reason: 'count_cap' });
      continue;
    }
    if (budget <= 0) {
      skipped.push({ path: candidate.path, reason: 'total_cap' });
      continue;
    }
    requests += 1;
    const file = await github.getFile(repo, candidate.path, { ...(options.ref ? { ref: options.ref } : {}), maxBytes });
    if (file === null) {
      skipped.push({ path: candidate.path, reason: 'absent' });
      continue;
    }
    if (!looksLikeText(file.text)) {
      // A binary file or one that is not UTF-8 cannot be read as a policy: it is listed as skipped, never classified.
      skipped.push({ path: candidate.path, reason: 'not_text' });
      continue;
    }
    const capped = capUtf8(sanitizeDocumentText(file.text), Math.min(maxBytes, budget));
    budget -= Buffer.byteLength(capped.text, 'utf8');
    const truncated = capped.truncated || file.truncated;
    documents.push({ path: candidate.path, kind: candidate.kind, sha: file.sha, bytes: file.size, text: capped.text, truncated });
  }
  return { found: found.found, documents, skipped, requests };
}
