import type { BranchInfo, CommitInfo, GitHubClient, RepoDirEntry, RepoFile, RepoRef, RepositoryInfo } from './github-client.js';
import { collectPages, type OctokitApi } from './octokit-api.js';
import { call, orNull } from './octokit-errors.js';

/** The default cap of {@link GitHubClient.getFile}: contribution documents are small; anything larger is cut. */
export const DEFAULT_FILE_MAX_BYTES = 256 * 1024;

type RepoMethods = Required<Pick<GitHubClient, 'getRepository' | 'getFile' | 'listDirectory' | 'listBranches' | 'listCommits'>>;

const slug = (repo: RepoRef) => `${repo.owner}/${repo.repo}`;
const cleanPath = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** Decodes a contents-API file, keeping at most `maxBytes` bytes (cut on a character boundary). */
function decodeFile(data: any, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = data.encoding === 'base64' && typeof data.content === 'string' ? Buffer.from(data.content, 'base64') : Buffer.alloc(0);
  const size = typeof data.size === 'number' ? data.size : bytes.length;
  // GitHub leaves `content` empty (encoding "none") for files over 1 MB: report them as cut, not as empty.
  const truncated = size > maxBytes || bytes.length > maxBytes || (bytes.length === 0 && size > 0);
  let end = Math.min(bytes.length, maxBytes);
  if (end < bytes.length) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated };
}

const ENTRY_TYPES = new Set(['file', 'dir', 'symlink', 'submodule']);

/**
 * The repository reads of the Octokit client: the repository's facts, a file and a directory through the contents
 * API, branches and commits. A file is returned only when GitHub reports a regular file at exactly the requested path:
 * GitHub answers a symlink to a file with the target's content (and the target's path), which is refused here, as are
 * directories and submodules.
 */
export function repoContentMethods(octokit: OctokitApi): RepoMethods {
  return {
    getRepository: (repo) =>
      call(`reading ${slug(repo)}`, async (): Promise<RepositoryInfo> => {
        const { data } = await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo });
        return {
          owner: String(data.owner?.login ?? repo.owner),
          repo: String(data.name ?? repo.repo),
          defaultBranch: String(data.default_branch ?? ''),
          archived: data.archived === true,
          fork: data.fork === true,
          pushedAt: data.pushed_at ?? null,
          htmlUrl: String(data.html_url ?? ''),
        };
      }),

    async getFile(repo, path, options = {}): Promise<RepoFile | null> {
      const wanted = cleanPath(path);
      const maxBytes = Math.max(0, options.maxBytes ?? DEFAULT_FILE_MAX_BYTES);
      const ref = options.ref ? { ref: options.ref } : {};
      const response = await orNull(`reading ${wanted} in ${slug(repo)}`, () =>
        octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner: repo.owner, repo: repo.repo, path: wanted, ...ref }),
      );
      const data = response?.data as any;
      if (!data || Array.isArray(data) || data.type !== 'file' || data.path !== wanted) return null;
      const { text, truncated } = decodeFile(data, maxBytes);
      return { path: wanted, sha: String(data.sha ?? ''), size: Number(data.size ?? 0), text, truncated, htmlUrl: data.html_url ?? null };
    },

    async listDirectory(repo, path, options = {}): Promise<RepoDirEntry[] | null> {
      const wanted = cleanPath(path);
      const ref = options.ref ? { ref: options.ref } : {};
      const response = await orNull(`listing ${wanted || '/'} in ${slug(repo)}`, () =>
        octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner: repo.owner, repo: repo.repo, path: wanted, ...ref }),
      );
      if (!response || !Array.isArray(response.data)) return null;
      return (response.data as any[]).map((e) => ({
        name: String(e.name ?? ''),
        path: String(e.path ?? ''),
        type: ENTRY_TYPES.has(e.type) ? e.type : 'file',
        size: Number(e.size ?? 0),
      }));
    },

    listBranches: (repo, options = {}) =>
      call(`listing branches of ${slug(repo)}`, () =>
        collectPages(octokit, 'GET /repos/{owner}/{repo}/branches', { owner: repo.owner, repo: repo.repo }, options.limit ?? 300, (b): BranchInfo => ({
          name: String(b.name ?? ''),
          sha: String(b.commit?.sha ?? ''),
        })),
      ),

    async listCommits(repo, options = {}): Promise<CommitInfo[]> {
      const params = { owner: repo.owner, repo: repo.repo, ...(options.ref ? { sha: options.ref } : {}), ...(options.since ? { since: options.since } : {}) };
      // An empty repository answers 409 "Git Repository is empty": no commits, not a failure.
      const commits = await orNull(
        `listing commits of ${slug(repo)}`,
        () =>
          collectPages(octokit, 'GET /repos/{owner}/{repo}/commits', params, options.limit ?? 1, (c): CommitInfo => ({
            sha: String(c.sha ?? ''),
            date: c.commit?.committer?.date ?? c.commit?.author?.date ?? null,
            author: c.author?.login ?? null,
          })),
        [409],
      );
      return commits ?? [];
    },
  };
}
