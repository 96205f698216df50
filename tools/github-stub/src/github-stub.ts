import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch, HttpError, readJson, send, type Reply, type Route, type StubCall } from './http.js';
import { issueRoutes } from './issue-routes.js';
import { folderLocator, readBranchHead, readDefaultBranch, type RepoLocator } from './local-repos.js';
import { createOpenApiCheck } from './openapi-check.js';
import { pullRoutes } from './pull-routes.js';
import { repoRoutes } from './repo-routes.js';
import { DEFAULT_SEARCH_RATE_LIMIT, SearchRateLimiter, searchRoutes } from './search-routes.js';
import { createSeedApi } from './seed-api.js';
import { seedRoute } from './seed-routes.js';
import { repoKey, StubState } from './stub-state.js';
import type { GitHubStub, GitHubStubOptions, OpenApiViolation, StubFault, StubRequest } from './stub-types.js';

export type * from './stub-types.js';

/** Checks a REST request against GitHub's OpenAPI description: the reason it fails, or undefined. */
type RequestCheck = (call: StubCall) => string | undefined;

let sharedCheck: RequestCheck | undefined;
/** The OpenAPI check, compiled once per process (every stub shares it). */
const openApiCheck = (): RequestCheck => (sharedCheck ??= createOpenApiCheck());

const isAuthorized = (token: string | undefined, auth: string) => !token || auth === `token ${token}` || auth === `Bearer ${token}` || auth === `bearer ${token}`;

/**
 * Starts a stateful local stand-in for the GitHub REST endpoints agentpr's client uses — repositories, contents,
 * branches, commits, pulls, issues and their comments, check runs and statuses, reviews, and `/search/issues`
 * with GitHub's search rate limit — on 127.0.0.1, port 0. Tests change GitHub's state through the returned object
 * (or the `/_stub/*` HTTP routes from another process) and point the real Octokit client at `url`. Every REST
 * request is checked against GitHub's OpenAPI description; a violation is answered 422 and recorded in
 * `openApiViolations`.
 *
 * @example
 * const stub = await startGitHubStub({ token: 't0k' });
 * stub.addRepo('acme', 'widgets');
 * const github = createOctokitClient({ token: 't0k', baseUrl: stub.url });
 */
export async function startGitHubStub(options: GitHubStubOptions = {}): Promise<GitHubStub> {
  const state = new StubState((options.htmlBase ?? 'https://github.com').replace(/\/+$/, ''), options.login ?? 'agentpr-bot', options.now ?? (() => new Date()));
  const seed = createSeedApi(state);
  const faults: Array<StubFault & { left: number }> = [];
  const requests: StubRequest[] = [];
  const openApiViolations: OpenApiViolation[] = [];
  const linkedForks = new Map<string, string>();
  const locate = (where: string | RepoLocator | undefined): RepoLocator | undefined => (typeof where === 'string' ? folderLocator(where) : where);
  const forkLocator = locate(options.forks);
  const upstreamLocator = locate(options.upstreams);
  const limiter = new SearchRateLimiter({ ...DEFAULT_SEARCH_RATE_LIMIT, ...options.searchRateLimit });
  const check = options.validateRequests === false ? undefined : openApiCheck();

  /** Adds a repository the stub does not know yet when it is found among the upstreams (or `autoRepos` is on). */
  const ensureRepo = async (owner: string, repo: string): Promise<void> => {
    if (state.repos.has(repoKey(owner, repo))) return;
    const path = upstreamLocator?.(owner, repo);
    if (path) seed.addRepo(owner, repo, { defaultBranch: (await readDefaultBranch(path)) ?? 'main' });
    else if (options.autoRepos) seed.addRepo(owner, repo);
  };

  /** Reads `<headOwner>:<branch>` from the local fork (or, for a same-repository head, the upstream) and records it. */
  const learnHead = async (owner: string, repo: string, headOwner: string, branch: string): Promise<void> => {
    const sameRepo = headOwner.toLowerCase() === owner.toLowerCase();
    const path = linkedForks.get(repoKey(headOwner, repo)) ?? forkLocator?.(headOwner, repo) ?? (sameRepo ? upstreamLocator?.(owner, repo) : undefined);
    if (!path) return;
    const sha = await readBranchHead(path, branch);
    const known = state.heads.get(`${repoKey(owner, repo)}|${headOwner.toLowerCase()}:${branch.toLowerCase()}`);
    if (sha && sha !== known) seed.setBranchHead({ owner, repo, headOwner, branch, sha });
  };

  /** Brings every open PR of a repository up to date with its fork, as GitHub does after a push. */
  const refreshOpenPulls = async (owner: string, repo: string): Promise<void> => {
    for (const pr of state.pulls.get(repoKey(owner, repo)) ?? []) if (pr.state === 'open') await learnHead(pr.owner, pr.repo, pr.headOwner, pr.headRef);
  };

  const routes: Route[] = [...repoRoutes(state), ...pullRoutes(state, learnHead), ...issueRoutes(state), ...searchRoutes(state, limiter)];

  async function route(call: StubCall): Promise<Reply> {
    const repoPath = call.path.match(/^\/repos\/([^/]+)\/([^/]+)(\/pulls|\/commits|\/issues)?/);
    if (repoPath) {
      const [owner, repo] = [decodeURIComponent(repoPath[1]!), decodeURIComponent(repoPath[2]!)];
      await ensureRepo(owner, repo);
      if (repoPath[3] && state.repos.has(repoKey(owner, repo))) await refreshOpenPulls(owner, repo);
    }
    const reply = await dispatch(routes, call);
    if (!reply) throw new HttpError(404, 'Not Found');
    return reply;
  }

  /** Serves one request: the `/_stub/*` seeding routes, injected faults, the token check, the OpenAPI check, then GitHub's routes. */
  async function serve(call: StubCall, record: StubRequest): Promise<Reply> {
    if (call.path.startsWith('/_stub/')) return seedRoute(api, seed, call.path, call.body);
    const fault = faults.find((f) => f.left > 0 && f.method.toUpperCase() === call.method && f.path.test(call.path));
    if (fault) {
      fault.left--;
      return { status: fault.status, body: { message: fault.message ?? `injected ${fault.status}` }, headers: fault.headers ?? {} };
    }
    if (!record.authorized) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
    const violation = check?.(call);
    if (violation) {
      openApiViolations.push({ method: call.method, path: call.path, reason: violation });
      return { status: 422, body: { message: `Invalid request: ${violation}`, documentation_url: 'https://docs.github.com/rest' } };
    }
    return route(call);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const parsed = new URL(req.url ?? '/', 'http://stub');
      const path = parsed.pathname.replace(/\/+$/, '') || '/';
      const record: StubRequest = {
        method: req.method ?? 'GET', path, authorized: isAuthorized(options.token, req.headers.authorization ?? ''), body: undefined,
        query: Object.fromEntries(parsed.searchParams), at: Date.now(),
      };
      try {
        record.body = await readJson(req);
        requests.push(record);
        const reply = await serve({ method: record.method, path, query: parsed.searchParams, body: record.body }, record);
        record.status = reply.status;
        send(res, reply.status, reply.body, reply.headers);
      } catch (error) {
        if (!requests.includes(record)) requests.push(record);
        record.status = error instanceof HttpError ? error.status : 500;
        if (error instanceof HttpError) return send(res, error.status, { message: error.message, ...error.extra }, error.headers);
        send(res, 500, { message: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const api: GitHubStub = {
    ...seed,
    url: state.url,
    port,
    requests,
    openApiViolations,
    linkFork({ headOwner, repo, path }) {
      linkedForks.set(repoKey(headOwner, repo), path);
    },
    setSearchRateLimit: (limit) => limiter.set(limit),
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
