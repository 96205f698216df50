import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from './find-executable.js';
import type { Git } from './git-runner.js';

/** One check of a doctor or preflight report. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** The report shape shared by the runtime doctor and the repo preflight. */
export interface DoctorReport {
  ok: boolean;
  /** `"<check name>: <detail>"` per failed check, in check order. */
  failures: string[];
  warnings: string[];
  duration_ms: number;
  context: Record<string, unknown>;
  checks: CheckResult[];
}

/** Something that fetches a URL; the global `fetch` fits. */
export type FetchLike = (url: string, init: { method: string; redirect: 'manual'; signal: AbortSignal }) => Promise<{ status: number; body?: { cancel(): Promise<void> } | null }>;

/** Collects checks in order; every error thrown by a check becomes a failed check, so a doctor never throws. */
export class CheckList {
  readonly checks: CheckResult[] = [];

  add(name: string, ok: boolean, detail: string): CheckResult {
    const check = { name, ok, detail };
    this.checks.push(check);
    return check;
  }

  /** Runs `fn`; a thrown error (timeouts included) is recorded as a failed check named `name`. */
  async run(name: string, fn: () => Promise<{ ok: boolean; detail: string }> | { ok: boolean; detail: string }): Promise<CheckResult> {
    try {
      const { ok, detail } = await fn();
      return this.add(name, ok, detail);
    } catch (error) {
      return this.add(name, false, errorText(error));
    }
  }

  /** The final report. */
  report(startedAt: number, now: number, context: Record<string, unknown>, warnings: string[]): DoctorReport {
    const failures = this.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    return { ok: failures.length === 0, failures, warnings, duration_ms: Math.max(0, Math.round(now - startedAt)), context, checks: this.checks };
  }
}

/** `cmd.<name>`: passes with the resolved path when `name` is on `env.PATH`, else fails with `Not found in PATH`. */
export async function commandCheck(name: string, env: Readonly<Record<string, string | undefined>>): Promise<{ ok: boolean; detail: string }> {
  const path = await findExecutable(name, env);
  return path ? { ok: true, detail: path } : { ok: false, detail: 'Not found in PATH' };
}

/**
 * `net.<url>`: `HEAD <url>` with a timeout. Any status below 500 passes (`HTTP 404` is reachable); 5xx, a
 * transport error or a timeout fails with the status or the error text. With `anyAnswer` (offline mode, where the
 * URLs are local stand-ins that often answer their root with a 5xx) any HTTP answer passes. Never throws.
 */
export async function urlCheck(
  url: string,
  timeoutMs: number,
  fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike,
  anyAnswer = false,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetchImpl(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, timeoutMs)) });
    await response.body?.cancel().catch(() => {});
    return { ok: anyAnswer || response.status < 500, detail: `HTTP ${response.status}` };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { ok: false, detail: `timed out after ${timeoutMs} ms` };
    const cause = e?.cause?.code ?? e?.cause?.message;
    return { ok: false, detail: cause ? `${e.message}: ${cause}` : errorText(error) };
  }
}

/** `env.<NAME>`: a non-blank value passes with `present`, otherwise `missing`. The value is never shown. */
export function envPresenceCheck(name: string, env: Readonly<Record<string, string | undefined>>): { ok: boolean; detail: string } {
  const value = (env[name] ?? '').trim();
  if (value === '') return { ok: false, detail: 'missing' };
  // The deploy templates ship CHANGE_ME placeholders; an unedited one is as good as missing.
  if (value.startsWith('CHANGE_ME')) return { ok: false, detail: 'missing (still the CHANGE_ME placeholder)' };
  return { ok: true, detail: 'present' };
}

/** A one-line text for any thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] || error.name;
  return String(error);
}

/** The directory a local remote names: a `file://` URL's path, or the path itself (`~/` from `env.HOME`). */
export function localRemotePath(remote: string, home?: string): string {
  const text = remote.trim();
  if (/^file:\/\//i.test(text)) return fileURLToPath(text);
  return text.startsWith('~/') && home ? `${home}/${text.slice(2)}` : text;
}

/**
 * `remote.<remote>`: a local remote (path or `file://` URL) exists, is a directory, and git opens it as a repository
 * (bare or not). A network URL fails: the check is for remotes that must be on this machine.
 */
export async function localRemoteCheck(remote: string, git: Git, home?: string): Promise<{ ok: boolean; detail: string }> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) && !/^file:\/\//i.test(remote)) return { ok: false, detail: 'not a local path or file:// URL' };
  const path = localRemotePath(remote, home);
  const info = await lstat(path).catch(() => undefined);
  if (!info) return { ok: false, detail: `${path} does not exist` };
  if (!info.isDirectory()) return { ok: false, detail: `${path} is not a directory` };
  const result = await git.run(['rev-parse', '--absolute-git-dir'], { cwd: path });
  const gitDir = result.stdout.trim();
  // A plain folder inside some other repository resolves to that repository's .git: that is not this remote.
  const real = await realpath(path);
  if (!result.ok || (gitDir !== real && gitDir !== join(real, '.git'))) return { ok: false, detail: `${path} is not a git repository` };
  return { ok: true, detail: `git repository at ${gitDir}` };
}
