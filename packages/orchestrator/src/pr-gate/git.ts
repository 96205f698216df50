import { execa } from 'execa';

/** The environment git runs with: the caller's PATH/HOME and credentials, never an interactive prompt. */
function gitEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.GIT_TERMINAL_PROMPT = '0';
  return out;
}

/** One git invocation's result; never throws for a non-zero exit. */
export interface GitOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `git <args>` in `cwd` with a timeout (argv array, stdin closed). Exit 127 when git cannot start. */
export async function runGit(args: readonly string[], options: { cwd: string; env: Readonly<Record<string, string | undefined>>; timeoutMs?: number }): Promise<GitOutput> {
  try {
    const result = await execa('git', [...args], {
      cwd: options.cwd,
      env: gitEnv(options.env),
      extendEnv: false,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 60_000,
      reject: false,
    });
    const exitCode = result.timedOut ? 124 : typeof result.exitCode === 'number' ? result.exitCode : 1;
    return { exitCode, stdout: String(result.stdout ?? '').trim(), stderr: String(result.stderr ?? '').trim() };
  } catch (error) {
    return { exitCode: 127, stdout: '', stderr: (error as Error).message };
  }
}

/** What the PR gate reads from a workspace. */
export interface WorkspaceGit {
  currentBranch(): Promise<string | null>;
  headSha(): Promise<string | null>;
  /** The SHA `refs/heads/<branch>` has on `remote` (`git ls-remote`), `null` when the branch is not there. */
  remoteHead(remote: string, branch: string): Promise<{ ok: true; sha: string | null } | { ok: false; error: string }>;
  /** `refs/remotes/upstream/HEAD` without the remote name, e.g. `main`. */
  upstreamDefaultBranch(): Promise<string | null>;
  remoteUrl(remote: string): Promise<string | null>;
  /** The tree of a commit, `null` when the commit is unknown here. */
  treeOf(sha: string): Promise<string | null>;
}

/** A {@link WorkspaceGit} over the real git binary in `cwd`. */
export function workspaceGit(cwd: string, env: Readonly<Record<string, string | undefined>>): WorkspaceGit {
  const git = (args: string[], timeoutMs?: number) => runGit(args, { cwd, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const value = async (args: string[]) => {
    const r = await git(args);
    return r.exitCode === 0 && r.stdout ? r.stdout : null;
  };
  return {
    async currentBranch() {
      return value(['symbolic-ref', '--short', '-q', 'HEAD']);
    },
    async headSha() {
      return value(['rev-parse', 'HEAD']);
    },
    async remoteHead(remote, branch) {
      const r = await git(['ls-remote', '--exit-code', remote, `refs/heads/${branch}`], 30_000);
      if (r.exitCode === 2) return { ok: true, sha: null };
      if (r.exitCode !== 0) return { ok: false, error: r.stderr || `git ls-remote exited ${r.exitCode}` };
      const line = r.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
      return { ok: true, sha: line ? line.split('\t')[0]!.toLowerCase() : null };
    },
    async upstreamDefaultBranch() {
      const ref = await value(['symbolic-ref', '--short', '-q', 'refs/remotes/upstream/HEAD']);
      if (!ref) return null;
      const slash = ref.indexOf('/');
      return slash >= 0 ? ref.slice(slash + 1) || null : null;
    },
    async remoteUrl(remote) {
      return value(['remote', 'get-url', remote]);
    },
    async treeOf(sha) {
      return value(['rev-parse', '--verify', '-q', `${sha}^{tree}`]);
    },
  };
}

/** The owner in a GitHub remote URL (`https://github.com/o/r.git`, `git@github.com:o/r.git`, `ssh://…/o/r`). */
export function ownerFromRemoteUrl(url: string): string | null {
  const trimmed = url.trim().replace(/\.git$/, '').replace(/\/+$/, '');
  const scp = trimmed.match(/^[^@/]+@[^:]+:([^/]+)\/[^/]+$/);
  if (scp) return scp[1]!;
  try {
    const parts = new URL(trimmed).pathname.split('/').filter(Boolean);
    return parts.length >= 2 ? parts[parts.length - 2]! : null;
  } catch {
    const parts = trimmed.split('/').filter(Boolean);
    return parts.length >= 2 ? parts[parts.length - 2]! : null;
  }
}
