import type { Octokit } from '@octokit/rest';

/** What the client's method modules call: `@octokit/rest` (REST methods, `request`, `paginate`); the plugins add nothing they use. */
export type OctokitApi = Octokit;

/**
 * Reads a paginated list until `limit` items are collected or the pages end, asking for no more per page than needed.
 * `route` is an Octokit route string such as `GET /repos/{owner}/{repo}/branches`.
 */
export async function collectPages<T>(octokit: OctokitApi, route: string, params: Record<string, unknown>, limit: number, map: (item: any) => T): Promise<T[]> {
  const out: T[] = [];
  if (limit <= 0) return out;
  for await (const page of octokit.paginate.iterator(route, { ...params, per_page: Math.min(100, limit) })) {
    for (const item of page.data as unknown[]) {
      out.push(map(item));
      if (out.length >= limit) return out;
    }
  }
  return out;
}
