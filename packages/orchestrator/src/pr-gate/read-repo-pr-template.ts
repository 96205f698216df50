import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readAgentFile } from '@agentpr/workspace';

/** The most bytes of a repository PR template read; a longer file is not used. */
export const MAX_REPO_TEMPLATE_BYTES = 64 * 1024;

/** Where GitHub looks for a repository's default PR template, in its order. */
const TEMPLATE_DIRS = ['.github', '', 'docs'] as const;
/** `pull_request_template.md` in any case, also `.txt` or no extension, as GitHub accepts. */
const TEMPLATE_NAME = /^pull_request_template(?:\.md|\.txt)?$/i;

/** A repository PR template: found (path relative to the workspace), absent, or refused (a symlink, too big, …). */
export type RepoPrTemplate =
  | { kind: 'found'; path: string; text: string }
  | { kind: 'none' }
  | { kind: 'refused'; path: string; reason: string };

/** The template candidates of one directory of the workspace, or none when it is not a real directory. */
async function candidatesIn(workspace: string, dir: string): Promise<string[]> {
  const at = join(workspace, dir);
  // A symlinked `.github` or `docs` could point anywhere: only real directories are listed.
  const info = await lstat(at).catch(() => null);
  if (!info?.isDirectory()) return [];
  const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => TEMPLATE_NAME.test(e.name) && !e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => (dir === '' ? name : `${dir}/${name}`));
}

/**
 * Finds and reads the repository's own PR template in the run's workspace: `.github/`, the root, then `docs/`,
 * `pull_request_template.md` in any case (GitHub's places). The workspace is written by the agent, so the file is
 * hostile input: read with `readAgentFile` (no symlink, in the file or its parents; a regular file; at most
 * {@link MAX_REPO_TEMPLATE_BYTES}). A refused candidate is reported and the next one tried.
 *
 * @example
 * const template = await readRepoPrTemplate(run.workspace_dir);
 * if (template.kind === 'found') console.log(template.path); // .github/pull_request_template.md
 */
export async function readRepoPrTemplate(workspace: string): Promise<RepoPrTemplate> {
  let refused: RepoPrTemplate | undefined;
  for (const dir of TEMPLATE_DIRS) {
    for (const path of await candidatesIn(workspace, dir)) {
      const read = await readAgentFile(join(workspace, path), { maxBytes: MAX_REPO_TEMPLATE_BYTES, within: workspace });
      if (!read.ok) {
        refused ??= { kind: 'refused', path, reason: read.message };
        continue;
      }
      if (read.truncated) {
        refused ??= { kind: 'refused', path, reason: `${path} is larger than ${MAX_REPO_TEMPLATE_BYTES} bytes` };
        continue;
      }
      const text = read.data.toString('utf8');
      if (text.trim() !== '') return { kind: 'found', path, text };
    }
  }
  return refused ?? { kind: 'none' };
}
