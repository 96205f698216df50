import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { folderLocator, readBranchHead, readDefaultBranch, type RepoLocator } from './local-repos.js';

/** A repository known to the stub. */
export interface StubRepo {
  owner: string;
  repo: string;
  defaultBranch: string;
}

/** A pull request held by the stub. */
export interface StubPullRequest {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  /** `<fork-owner>:<branch>` as given to create. */
  head: string;
  headOwner: string;
  headRef: string;
  headSha: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged: boolean;
  createdAt: string;
}

/** A check run on a commit. */
export interface StubCheckRun {
  id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  headSha: string;
  /** What the check reported (title, summary, text), shown to the agent in a CI-fix round. */
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

/** A commit status. */
export interface StubStatus {
  id: number;
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  sha: string;
}

/** A PR review. */
export interface StubReview {
  id: number;
  pullNumber: number;
  /** Upper-case as the REST API reports it: `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`. */
  state: string;
  commitId: string;
  submittedAt: string;
  body?: string;
}

/** An inline review comment on a PR. */
export interface StubReviewComment {
  id: number;
  pullNumber: number;
  path: string;
  line: number | null;
  body: string;
  inReplyTo: number | null;
  createdAt: string;
}

/** One request the stub served, for assertions. */
export interface StubRequest {
  method: string;
  path: string;
  authorized: boolean;
  body: unknown;
}

/** A fault to inject: the next `times` requests matching `method` and `path` get `status`. */
export interface StubFault {
  method: string;
  path: RegExp;
  status: number;
  times?: number;
  message?: string;
}

/** Options of {@link startGitHubStub}. */
export interface GitHubStubOptions {
  /** When set, every REST call must carry `Authorization: token <token>` (or `Bearer`); else 401. */
  token?: string;
  host?: string;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Base of the `html_url` of PRs; default `https://github.com`. */
  htmlBase?: string;
  /**
   * Where the forks live, so pushed branches are learned from them: a folder laid out as `<dir>/<owner>/<repo>(.git)`
   * or a locator. A PR head (`<owner>:<branch>`) is read from the fork with git whenever a PR is created or read,
   * so nobody has to call `setBranchHead` after a push. See also `linkFork`.
   */
  forks?: string | RepoLocator;
  /** Where the upstream repositories live (same layout): an unknown repository found there is added, with its HEAD as default branch. */
  upstreams?: string | RepoLocator;
  /** Answer every repository as existing (default branch `main`) instead of 404 for unknown ones. */
  autoRepos?: boolean;
}

/** A running stub: its URL (use as `GITHUB_API_URL`), a JS API to change GitHub's state, and `close`. */
export interface GitHubStub {
  url: string;
  port: number;
  requests: StubRequest[];
  addRepo(owner: string, repo: string, options?: { defaultBranch?: string }): StubRepo;
  /** Points `<headOwner>:<branch>` at `sha`, like a push to the fork; open PRs from it follow. */
  setBranchHead(input: { owner: string; repo: string; headOwner: string; branch: string; sha: string }): void;
  /** Names the local repository that is `<headOwner>/<repo>` (the fork): its branch heads are then read from it with git. */
  linkFork(input: { headOwner: string; repo: string; path: string }): void;
  getPull(owner: string, repo: string, number: number): StubPullRequest | undefined;
  listPulls(owner: string, repo: string): StubPullRequest[];
  addCheckRun(owner: string, repo: string, sha: string, run: { name: string; status?: StubCheckRun['status']; conclusion?: string | null; output?: StubCheckRun['output'] }): StubCheckRun;
  updateCheckRun(id: number, patch: { status?: StubCheckRun['status']; conclusion?: string | null }): StubCheckRun;
  addStatus(owner: string, repo: string, sha: string, status: { context: string; state: StubStatus['state'] }): StubStatus;
  addReview(owner: string, repo: string, number: number, review: { state: string; commitId?: string; body?: string }): StubReview;
  addReviewComment(
    owner: string,
    repo: string,
    number: number,
    comment: { path: string; line?: number | null; body: string; inReplyTo?: number | null },
  ): StubReviewComment;
  merge(owner: string, repo: string, number: number): StubPullRequest;
  closePull(owner: string, repo: string, number: number): StubPullRequest;
  failNext(fault: StubFault): void;
  close(): Promise<void>;
}

const key = (owner: string, repo: string) => `${owner.toLowerCase()}/${repo.toLowerCase()}`;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}

/**
 * Starts a stateful local stand-in for the GitHub REST endpoints agentpr's client uses — repos get, pulls
 * create/get/list, check runs and combined status for a ref, PR reviews — on 127.0.0.1, port 0. Tests change
 * GitHub's state through the returned object (or the `/_stub/*` HTTP routes from another process) and point
 * the real Octokit client at `url`.
 *
 * @example
 * const stub = await startGitHubStub({ token: 't0k' });
 * stub.addRepo('acme', 'widgets');
 * const github = createOctokitClient({ token: 't0k', baseUrl: stub.url });
 */
export async function startGitHubStub(options: GitHubStubOptions = {}): Promise<GitHubStub> {
  const htmlBase = (options.htmlBase ?? 'https://github.com').replace(/\/+$/, '');
  const repos = new Map<string, StubRepo>();
  const branches = new Map<string, string>();
  const pulls = new Map<string, StubPullRequest[]>();
  const checkRuns: Array<StubCheckRun & { repoKey: string }> = [];
  const statuses: Array<StubStatus & { repoKey: string }> = [];
  const reviews = new Map<string, StubReview[]>();
  const reviewComments = new Map<string, StubReviewComment[]>();
  const faults: Array<StubFault & { left: number }> = [];
  const requests: StubRequest[] = [];
  const linkedForks = new Map<string, string>();
  const locate = (where: string | RepoLocator | undefined): RepoLocator | undefined => (typeof where === 'string' ? folderLocator(where) : where);
  const forkLocator = locate(options.forks);
  const upstreamLocator = locate(options.upstreams);
  let nextId = 1000;
  const now = () => new Date().toISOString();

  const requireRepo = (owner: string, repo: string): StubRepo => {
    const found = repos.get(key(owner, repo));
    if (!found) throw new HttpError(404, 'Not Found');
    return found;
  };
  const requirePull = (owner: string, repo: string, number: number): StubPullRequest => {
    const found = (pulls.get(key(owner, repo)) ?? []).find((p) => p.number === number);
    if (!found) throw new HttpError(404, 'Not Found');
    return found;
  };

  /** Adds a repository the stub does not know yet when it is found among the upstreams (or `autoRepos` is on). */
  const ensureRepo = async (owner: string, repo: string): Promise<void> => {
    if (repos.has(key(owner, repo))) return;
    const path = upstreamLocator?.(owner, repo);
    if (path) api.addRepo(owner, repo, { defaultBranch: (await readDefaultBranch(path)) ?? 'main' });
    else if (options.autoRepos) api.addRepo(owner, repo);
  };

  /** Reads `<headOwner>:<branch>` from the local fork (or, for a same-repository head, the upstream) and records it. */
  const learnHead = async (owner: string, repo: string, headOwner: string, branch: string): Promise<void> => {
    const sameRepo = headOwner.toLowerCase() === owner.toLowerCase();
    const path = linkedForks.get(key(headOwner, repo)) ?? forkLocator?.(headOwner, repo) ?? (sameRepo ? upstreamLocator?.(owner, repo) : undefined);
    if (!path) return;
    const sha = await readBranchHead(path, branch);
    const known = branches.get(`${key(owner, repo)}|${headOwner.toLowerCase()}:${branch.toLowerCase()}`);
    if (sha && sha !== known) api.setBranchHead({ owner, repo, headOwner, branch, sha });
  };

  /** Brings every open PR of a repository up to date with its fork, as GitHub does after a push. */
  const refreshOpenPulls = async (owner: string, repo: string): Promise<void> => {
    for (const pr of pulls.get(key(owner, repo)) ?? []) if (pr.state === 'open') await learnHead(pr.owner, pr.repo, pr.headOwner, pr.headRef);
  };

  const pullJson = (p: StubPullRequest) => ({
    id: p.number * 10 + 7,
    number: p.number,
    html_url: `${htmlBase}/${p.owner}/${p.repo}/pull/${p.number}`,
    url: `${url}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    state: p.state,
    title: p.title,
    body: p.body,
    draft: p.draft,
    merged: p.merged,
    merged_at: p.merged ? p.createdAt : null,
    created_at: p.createdAt,
    head: { label: p.head, ref: p.headRef, sha: p.headSha, user: { login: p.headOwner }, repo: { name: p.repo, owner: { login: p.headOwner } } },
    base: { label: `${p.owner}:${p.base}`, ref: p.base, repo: { name: p.repo, owner: { login: p.owner } } },
  });

  const paginate = (req: IncomingMessage, items: unknown[], path: string): { page: unknown[]; headers: Record<string, string> } => {
    const query = new URL(req.url ?? '/', 'http://stub').searchParams;
    const perPage = Math.max(1, Math.min(100, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(`${url}${path}`);
      query.forEach((v, k) => next.searchParams.set(k, v));
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { page: slice, headers };
  };

  async function route(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): Promise<void> {
    const method = req.method ?? 'GET';
    const query = new URL(req.url ?? '/', 'http://stub').searchParams;
    let m: RegExpMatchArray | null;
    const repoPath = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/pulls|\/commits)?/);
    if (repoPath) {
      await ensureRepo(repoPath[1]!, repoPath[2]!);
      if (repoPath[3] && repos.has(key(repoPath[1]!, repoPath[2]!))) await refreshOpenPulls(repoPath[1]!, repoPath[2]!);
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)$/)) && method === 'GET') {
      const r = requireRepo(m[1]!, m[2]!);
      return send(res, 200, { id: 1, name: r.repo, full_name: `${r.owner}/${r.repo}`, owner: { login: r.owner }, default_branch: r.defaultBranch });
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls$/))) {
      const r = requireRepo(m[1]!, m[2]!);
      const list = pulls.get(key(r.owner, r.repo)) ?? [];
      if (method === 'GET') {
        const head = query.get('head');
        const state = query.get('state') ?? 'open';
        const filtered = list.filter((p) => (state === 'all' || p.state === state) && (!head || p.head.toLowerCase() === head.toLowerCase()));
        const { page, headers } = paginate(req, filtered.map(pullJson), path);
        return send(res, 200, page, headers);
      }
      if (method === 'POST') {
        const input = (body ?? {}) as Record<string, unknown>;
        const title = typeof input.title === 'string' ? input.title : '';
        const headInput = typeof input.head === 'string' ? input.head : '';
        const base = typeof input.base === 'string' ? input.base : '';
        if (!title || !headInput || !base) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'missing_field', field: !title ? 'title' : !headInput ? 'head' : 'base' }] });
        const [headOwner, headRef] = headInput.includes(':') ? (headInput.split(':', 2) as [string, string]) : [r.owner, headInput];
        const head = `${headOwner}:${headRef}`;
        await learnHead(r.owner, r.repo, headOwner, headRef);
        const headSha = branches.get(`${key(r.owner, r.repo)}|${head.toLowerCase()}`);
        if (!headSha) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'invalid', field: 'head' }] });
        if (list.some((p) => p.state === 'open' && p.head.toLowerCase() === head.toLowerCase() && p.base === base)) {
          throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${head}.` }] });
        }
        const pr: StubPullRequest = {
          number: list.reduce((n, p) => Math.max(n, p.number), 0) + 1,
          owner: r.owner,
          repo: r.repo,
          title,
          body: typeof input.body === 'string' ? input.body : '',
          head,
          headOwner,
          headRef,
          headSha,
          base,
          draft: input.draft === true,
          state: 'open',
          merged: false,
          createdAt: now(),
        };
        pulls.set(key(r.owner, r.repo), [...list, pr]);
        return send(res, 201, pullJson(pr));
      }
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/)) && method === 'GET') {
      return send(res, 200, pullJson(requirePull(m[1]!, m[2]!, Number(m[3]))));
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/)) && method === 'PATCH') {
      const pr = requirePull(m[1]!, m[2]!, Number(m[3]));
      const input = (body ?? {}) as Record<string, unknown>;
      if (input.state === 'closed' && !pr.merged) pr.state = 'closed';
      return send(res, 200, pullJson(pr));
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/)) && method === 'GET') {
      const pr = requirePull(m[1]!, m[2]!, Number(m[3]));
      const list = (reviews.get(key(pr.owner, pr.repo)) ?? []).filter((r) => r.pullNumber === pr.number);
      const json = list.map((r) => ({ id: r.id, state: r.state, body: r.body ?? '', commit_id: r.commitId, submitted_at: r.submittedAt, user: { login: 'reviewer' } }));
      const { page, headers } = paginate(req, json, path);
      return send(res, 200, page, headers);
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments$/)) && method === 'GET') {
      const pr = requirePull(m[1]!, m[2]!, Number(m[3]));
      const list = (reviewComments.get(key(pr.owner, pr.repo)) ?? []).filter((c) => c.pullNumber === pr.number);
      const json = list.map((c) => ({ id: c.id, path: c.path, line: c.line, body: c.body, in_reply_to_id: c.inReplyTo ?? undefined, created_at: c.createdAt, user: { login: 'reviewer' } }));
      const { page, headers } = paginate(req, json, path);
      return send(res, 200, page, headers);
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/)) && method === 'GET') {
      const r = requireRepo(m[1]!, m[2]!);
      const sha = m[3]!.toLowerCase();
      const list = checkRuns
        .filter((c) => c.repoKey === key(r.owner, r.repo) && c.headSha === sha)
        .map((c) => ({
          id: c.id, name: c.name, status: c.status, conclusion: c.conclusion, head_sha: c.headSha, details_url: null,
          output: { title: c.output?.title ?? null, summary: c.output?.summary ?? null, text: c.output?.text ?? null },
        }));
      const { page, headers } = paginate(req, list, path);
      return send(res, 200, { total_count: list.length, check_runs: page }, headers);
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/)) && method === 'GET') {
      const r = requireRepo(m[1]!, m[2]!);
      const sha = m[3]!.toLowerCase();
      const latest = new Map<string, StubStatus>();
      for (const s of statuses) if (s.repoKey === key(r.owner, r.repo) && s.sha === sha) latest.set(s.context, s);
      const list = [...latest.values()];
      const state = list.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : list.length > 0 && list.every((s) => s.state === 'success') ? 'success' : 'pending';
      return send(res, 200, { state, sha, total_count: list.length, statuses: list.map((s) => ({ id: s.id, context: s.context, state: s.state })) });
    }
    throw new HttpError(404, 'Not Found');
  }

  async function stubRoute(res: ServerResponse, path: string, body: unknown): Promise<void> {
    const input = (body ?? {}) as Record<string, any>;
    let m: RegExpMatchArray | null;
    if (path === '/_stub/repos') return send(res, 201, api.addRepo(input.owner, input.repo, { defaultBranch: input.default_branch }));
    if (path === '/_stub/forks') {
      api.linkFork({ headOwner: String(input.head_owner), repo: String(input.repo), path: String(input.path) });
      return send(res, 200, { ok: true });
    }
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/branches$/))) {
      api.setBranchHead({ owner: m[1]!, repo: m[2]!, headOwner: input.head_owner, branch: input.branch, sha: input.sha });
      return send(res, 200, { ok: true });
    }
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/))) return send(res, 201, api.addCheckRun(m[1]!, m[2]!, m[3]!, input as any));
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/))) return send(res, 201, api.addStatus(m[1]!, m[2]!, m[3]!, input as any));
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/))) return send(res, 201, api.addReview(m[1]!, m[2]!, Number(m[3]), input as any));
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments$/))) return send(res, 201, api.addReviewComment(m[1]!, m[2]!, Number(m[3]), input as any));
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/merge$/))) return send(res, 200, api.merge(m[1]!, m[2]!, Number(m[3])));
    if ((m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/close$/))) return send(res, 200, api.closePull(m[1]!, m[2]!, Number(m[3])));
    throw new HttpError(404, 'Not Found');
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://stub').pathname.replace(/\/+$/, '') || '/';
      const auth = req.headers.authorization ?? '';
      const authorized = !options.token || auth === `token ${options.token}` || auth === `Bearer ${options.token}` || auth === `bearer ${options.token}`;
      let body: unknown;
      try {
        body = await readJson(req);
        requests.push({ method: req.method ?? 'GET', path, authorized, body });
        if (path.startsWith('/_stub/')) return await stubRoute(res, path, body);
        const fault = faults.find((f) => f.left > 0 && f.method.toUpperCase() === (req.method ?? 'GET') && f.path.test(path));
        if (fault) {
          fault.left--;
          return send(res, fault.status, { message: fault.message ?? `injected ${fault.status}` });
        }
        if (!authorized) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        await route(req, res, path, body);
      } catch (error) {
        if (error instanceof HttpError) return send(res, error.status, { message: error.message, ...error.extra });
        send(res, 500, { message: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const pullOf = (owner: string, repo: string, number: number): StubPullRequest => {
    const pr = (pulls.get(key(owner, repo)) ?? []).find((p) => p.number === number);
    if (!pr) throw new Error(`stub: no PR ${owner}/${repo}#${number}`);
    return pr;
  };

  const api: GitHubStub = {
    url,
    port,
    requests,
    addRepo(owner, repo, opts = {}) {
      const r = { owner, repo, defaultBranch: opts.defaultBranch ?? 'main' };
      repos.set(key(owner, repo), r);
      return r;
    },
    setBranchHead({ owner, repo, headOwner, branch, sha }) {
      const head = `${headOwner}:${branch}`;
      branches.set(`${key(owner, repo)}|${head.toLowerCase()}`, sha.toLowerCase());
      for (const pr of pulls.get(key(owner, repo)) ?? []) if (pr.state === 'open' && pr.head.toLowerCase() === head.toLowerCase()) pr.headSha = sha.toLowerCase();
    },
    linkFork({ headOwner, repo, path }) {
      linkedForks.set(key(headOwner, repo), path);
    },
    getPull: (owner, repo, number) => (pulls.get(key(owner, repo)) ?? []).find((p) => p.number === number),
    listPulls: (owner, repo) => [...(pulls.get(key(owner, repo)) ?? [])],
    addCheckRun(owner, repo, sha, run) {
      const status = run.status ?? 'completed';
      const created: StubCheckRun = { id: nextId++, name: run.name, status, conclusion: status === 'completed' ? (run.conclusion ?? 'success') : (run.conclusion ?? null), headSha: sha.toLowerCase(), ...(run.output ? { output: run.output } : {}) };
      checkRuns.push({ ...created, repoKey: key(owner, repo) });
      return created;
    },
    updateCheckRun(id, patch) {
      const run = checkRuns.find((c) => c.id === id);
      if (!run) throw new Error(`stub: no check run ${id}`);
      if (patch.status) run.status = patch.status;
      if (patch.conclusion !== undefined) run.conclusion = patch.conclusion;
      const { repoKey: _k, ...rest } = run;
      return rest;
    },
    addStatus(owner, repo, sha, s) {
      const created = { id: nextId++, context: s.context, state: s.state, sha: sha.toLowerCase() };
      statuses.push({ ...created, repoKey: key(owner, repo) });
      return created;
    },
    addReview(owner, repo, number, review) {
      const pr = pullOf(owner, repo, number);
      const created: StubReview = {
        id: nextId++, pullNumber: number, state: review.state.toUpperCase(), commitId: review.commitId ?? pr.headSha, submittedAt: now(),
        ...(review.body ? { body: review.body } : {}),
      };
      reviews.set(key(owner, repo), [...(reviews.get(key(owner, repo)) ?? []), created]);
      return created;
    },
    addReviewComment(owner, repo, number, comment) {
      pullOf(owner, repo, number);
      const created: StubReviewComment = {
        id: nextId++, pullNumber: number, path: comment.path, line: comment.line ?? null, body: comment.body,
        inReplyTo: comment.inReplyTo ?? null, createdAt: now(),
      };
      reviewComments.set(key(owner, repo), [...(reviewComments.get(key(owner, repo)) ?? []), created]);
      return created;
    },
    merge(owner, repo, number) {
      const pr = pullOf(owner, repo, number);
      pr.state = 'closed';
      pr.merged = true;
      return pr;
    },
    closePull(owner, repo, number) {
      const pr = pullOf(owner, repo, number);
      pr.state = 'closed';
      return pr;
    },
    failNext(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
