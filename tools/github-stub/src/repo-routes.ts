import { posix } from 'node:path';
import { HttpError, paginate, type Route, type StubCall } from './http.js';
import { commitJson, repoJson } from './stub-json.js';
import { blobSha, fakeSha, repoKey, type StubState } from './stub-state.js';
import type { StubTreeEntry } from './stub-types.js';

const REPO = '/repos/([^/]+)/([^/]+)';

/** The links every contents entry carries. */
function entryLinks(s: StubState, owner: string, repo: string, ref: string, path: string, sha: string, type: string) {
  const self = `${s.url}/repos/${owner}/${repo}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${s.htmlBase}/${owner}/${repo}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${path}`;
  const git = `${s.url}/repos/${owner}/${repo}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
  return { url: self, html_url: html, git_url: git, download_url: type === 'file' ? `${s.htmlBase}/raw/${owner}/${repo}/${ref}/${path}` : null, _links: { self, git, html } };
}

/** One entry as a directory listing reports it. */
function listingEntry(s: StubState, owner: string, repo: string, ref: string, path: string, entry: StubTreeEntry | 'dir') {
  const type = entry === 'dir' ? 'dir' : entry.kind;
  const size = entry === 'dir' ? 0 : entry.kind === 'file' ? entry.content.length : entry.kind === 'symlink' ? Buffer.byteLength(entry.target) : 0;
  const sha = entry !== 'dir' && entry.kind === 'file' ? blobSha(entry.content) : fakeSha(owner, repo, ref, path);
  return { type, size, name: posix.basename(path), path, sha, ...entryLinks(s, owner, repo, ref, path, sha, type) };
}

/** The contents API: a file (base64), a symlink (or the file it points at inside the repository, as GitHub does), a submodule, or a directory listing. */
function contents(s: StubState, call: StubCall, owner: string, repo: string, rawPath: string) {
  const r = s.requireRepo(owner, repo);
  const ref = call.query.get('ref');
  const tree = s.tree(owner, repo, ref);
  if (!tree) throw new HttpError(404, `No commit found for the ref ${ref ?? ''}`);
  const refName = ref || r.defaultBranch;
  const path = rawPath.replace(/^\/+|\/+$/g, '');
  if (path.split('/').some((part) => part === '..' || part === '.')) throw new HttpError(404, 'Not Found');
  const entry = path ? tree.get(path) : undefined;
  if (entry?.kind === 'file') return { status: 200, body: fileJson(s, owner, repo, refName, path, entry.content) };
  if (entry?.kind === 'symlink') {
    const resolved = posix.normalize(posix.join(posix.dirname(path), entry.target));
    const target = resolved.startsWith('..') || posix.isAbsolute(entry.target) ? undefined : tree.get(resolved);
    if (target?.kind === 'file') return { status: 200, body: fileJson(s, owner, repo, refName, resolved, target.content) };
    return { status: 200, body: { ...listingEntry(s, owner, repo, refName, path, entry), target: entry.target } };
  }
  if (entry?.kind === 'submodule') return { status: 200, body: { ...listingEntry(s, owner, repo, refName, path, entry), submodule_git_url: entry.url } };
  const prefix = path ? `${path}/` : '';
  const children = new Map<string, StubTreeEntry | 'dir'>();
  for (const [p, e] of tree) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    children.set(slash < 0 ? p : prefix + rest.slice(0, slash), slash < 0 ? e : 'dir');
  }
  if (children.size === 0 && path) throw new HttpError(404, 'Not Found');
  const listing = [...children.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, e]) => listingEntry(s, owner, repo, refName, p, e));
  return { status: 200, body: listing };
}

function fileJson(s: StubState, owner: string, repo: string, ref: string, path: string, content: Buffer) {
  const base64 = content.toString('base64').replace(/(.{60})/g, '$1\n');
  return { ...listingEntry(s, owner, repo, ref, path, { kind: 'file', content }), encoding: 'base64', content: base64 };
}

function branches(s: StubState, call: StubCall, owner: string, repo: string) {
  const r = s.requireRepo(owner, repo);
  const names = new Set([r.defaultBranch, ...(s.branches.get(repoKey(owner, repo))?.keys() ?? [])]);
  for (const c of s.commits.get(repoKey(owner, repo)) ?? []) names.add(c.branch);
  const list = [...names].sort((a, b) => a.localeCompare(b)).map((name) => {
    const sha = s.branchSha(owner, repo, name) ?? fakeSha(owner, repo, name);
    return { name, commit: { sha, url: `${s.url}/repos/${r.owner}/${r.repo}/commits/${sha}` }, protected: false };
  });
  return paginate(s.url, call, list);
}

function commits(s: StubState, call: StubCall, owner: string, repo: string) {
  const r = s.requireRepo(owner, repo);
  const ref = call.query.get('sha') || r.defaultBranch;
  const since = call.query.get('since');
  const until = call.query.get('until');
  const all = s.commits.get(repoKey(owner, repo)) ?? [];
  const bySha = all.find((c) => c.sha === ref.toLowerCase());
  const history = bySha ? s.commitsOf(owner, repo, bySha.branch).filter((c) => Date.parse(c.date) <= Date.parse(bySha.date)) : s.commitsOf(owner, repo, ref);
  const list = history.filter((c) => (!since || Date.parse(c.date) >= Date.parse(since)) && (!until || Date.parse(c.date) <= Date.parse(until)));
  if (!bySha && list.length === 0 && !s.branchSha(owner, repo, ref)) throw new HttpError(404, `No commit found for SHA: ${ref}`);
  return paginate(s.url, call, list.map((c) => commitJson(s, r.owner, r.repo, c)));
}

/** The repository routes: the repository itself, its contents, branches and commits. */
export function repoRoutes(s: StubState): Route[] {
  return [
    { method: 'GET', pattern: new RegExp(`^${REPO}$`), handle: (_c, [o, r]) => ({ status: 200, body: repoJson(s, s.requireRepo(o!, r!)) }) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/contents(?:/(.*))?$`), handle: (c, [o, r, p]) => contents(s, c, o!, r!, p ?? '') },
    { method: 'GET', pattern: new RegExp(`^${REPO}/branches$`), handle: (c, [o, r]) => branches(s, c, o!, r!) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/commits$`), handle: (c, [o, r]) => commits(s, c, o!, r!) },
  ];
}
