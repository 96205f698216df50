import { constants as osConstants } from 'node:os';
import { execa } from 'execa';
import { redactSecrets } from './redact.js';

/** The outcome of one git invocation. Never throws for a non-zero exit; check `ok`. */
export interface GitResult {
  /** git exited 0 (never after a timeout). */
  ok: boolean;
  /** git's exit status; 127 when git could not be started, 124 after a timeout, 128 + n when killed by signal n. */
  gitExit: number;
  /** stdout; the push token, if it ever shows up, is replaced by `***`. */
  stdout: string;
  /** stderr with credentials in URLs and the push token replaced by `***`. */
  stderr: string;
  timedOut: boolean;
}

function gitResult(gitExit: number, stdout: string, stderr: string, timedOut = false): GitResult {
  return { ok: gitExit === 0, gitExit, stdout, stderr, timedOut };
}

/** Options of one git invocation. `cwd` is always explicit. */
export interface GitRunOptions {
  cwd: string;
  /** Milliseconds before the whole process group is killed; defaults to the runner's timeout. */
  timeoutMs?: number;
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  input?: string;
  /** Extra environment for this call only (e.g. `GIT_INDEX_FILE`); added after the allowlist. */
  env?: Readonly<Record<string, string>>;
}

/** The smallest interface to git that the workspace code needs: run one command with an argv array. */
export interface Git {
  run(args: readonly string[], options: GitRunOptions): Promise<GitResult>;
}

/** The commit identity git uses when the environment sets none. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** How to build the real git runner. */
export interface GitRunnerOptions {
  /**
   * The operator's environment. Only allowlisted names reach git ({@link GIT_ENV_ALLOWLIST}); everything
   * else (bot tokens, webhook secrets, `GITHUB_TOKEN`, `GIT_DIR`, `GIT_SSH_COMMAND`, …) is dropped.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** The git executable; default `git` from `env.PATH`. */
  binary?: string;
  /** Default timeout per command; default 120 000 ms. */
  timeoutMs?: number;
  /**
   * The token `git push` (and only push) authenticates with, through an inline credential helper scoped to
   * `https://<pushTokenHost>`; it is never put in argv or in a URL.
   */
  pushToken?: string | undefined;
  /** The host the push token is offered to; default `github.com`. */
  pushTokenHost?: string;
  /**
   * The commit identity when `GIT_AUTHOR_*`/`GIT_COMMITTER_*` are not all in `env`. Default: `user.name` and
   * `user.email` read once from the operator's global git config (the first time the runner is used).
   */
  identity?: GitIdentity;
}

const KILL_GRACE_MS = 2_000;
const IDENTITY_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * The environment names that reach every git process: the locale, the timezone, the terminal, the temp dir
 * and the commit identity. `LC_*` is matched as a prefix.
 */
export const GIT_ENV_ALLOWLIST: readonly string[] = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'TERM',
  'TMPDIR',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
];

/**
 * Extra names for the commands that talk to a remote (`clone`, `fetch`, `push`, `ls-remote`): proxies, CA
 * bundles and the ssh agent socket, so an operator behind a proxy or pushing over ssh keeps working.
 */
export const GIT_NETWORK_ENV_ALLOWLIST: readonly string[] = [
  'SSH_AUTH_SOCK',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
];

const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'push', 'ls-remote']);
const DIFF_COMMANDS = new Set(['diff', 'show', 'log', 'format-patch', 'whatchanged']);

/**
 * `-c` overrides put in front of every command. Command-line config beats the repository's `.git/config`,
 * so a hook, fsmonitor, credential helper, ssh command, pager, editor or signing program planted there never
 * runs. `include.path` and `filter.<name>.*` cannot be reset this way; that is why `.git/config` is a
 * protected file (see `snapshotProtected`).
 */
export const GIT_HARDENING_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.untrackedCache=false',
  'core.useReplaceRefs=false',
  // An empty value resets the helper list collected from every config file read before.
  'credential.helper=',
  'core.sshCommand=ssh',
  'core.askPass=',
  'protocol.ext.allow=never',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'push.gpgSign=false',
  'gpg.program=false',
  'gpg.ssh.program=false',
  'gpg.x509.program=false',
  'core.pager=cat',
  'core.editor=true',
  'sequence.editor=true',
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'push.recurseSubmodules=no',
  'diff.ignoreSubmodules=dirty',
  'status.submoduleSummary=false',
];

/** The environment variable that carries the push token to the credential helper of one push. */
export const PUSH_TOKEN_ENV = 'AGENTPR_GIT_PUSH_TOKEN';

/**
 * The inline credential helper of a push: answers `get` with `x-access-token` and the token from
 * {@link PUSH_TOKEN_ENV}; ignores `store` and `erase`, so nothing is written anywhere.
 */
export const PUSH_CREDENTIAL_HELPER = `!f() { test "$1" = get && echo username=x-access-token && echo "password=$${PUSH_TOKEN_ENV}"; }; f`;

function allowed(name: string, list: readonly string[]): boolean {
  return list.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/** Picks the allowlisted names of `env`; see {@link GIT_ENV_ALLOWLIST}. */
function pickEnv(env: Readonly<Record<string, string | undefined>>, list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && allowed(key, list)) out[key] = value;
  return out;
}

/** The git subcommand of an argv: the first argument, as every caller passes it. */
function subcommandOf(args: readonly string[]): string {
  return args[0] ?? '';
}

/**
 * A {@link Git} that runs the real git binary hardened against a hostile workspace (issue 12): argv arrays,
 * explicit cwd, stdin closed, its own process group killed on timeout, and
 * - an environment built from an allowlist only ({@link GIT_ENV_ALLOWLIST}; network commands also get
 *   {@link GIT_NETWORK_ENV_ALLOWLIST}), `HOME` unset, `GIT_CONFIG_NOSYSTEM=1`, `GIT_CONFIG_GLOBAL=/dev/null`,
 *   `GIT_TERMINAL_PROMPT=0`, no askpass: no system or global config, no secret of the operator;
 * - {@link GIT_HARDENING_CONFIG} in front of every command: no hooks, no fsmonitor, no credential helper,
 *   ssh command, pager, editor or signer from the repository;
 * - `--no-ext-diff --no-textconv` on `diff`, `show`, `log`: no external diff or textconv program;
 * - for `push` only, with `pushToken`: the token through {@link PUSH_CREDENTIAL_HELPER}, in that one
 *   process's environment, scoped to `https://<pushTokenHost>`; never in argv or a URL, and redacted from
 *   the output.
 *
 * Since global config is not read, the commit identity is: `GIT_AUTHOR_*`/`GIT_COMMITTER_*` from `env` when
 * set; else `identity`; else `user.name`/`user.email` read once from the operator's global config (with
 * only `PATH`, `HOME`, `XDG_CONFIG_HOME` and `GIT_CONFIG_GLOBAL` of `env`), passed as `GIT_CONFIG_COUNT`
 * entries.
 *
 * @example
 * const git = createGitRunner({ env: process.env, pushToken: process.env.GITHUB_TOKEN });
 * const head = await git.run(['rev-parse', 'HEAD'], { cwd: '/srv/ws/acme/widgets/run_1' });
 */
export function createGitRunner(options: GitRunnerOptions): Git {
  const binary = options.binary ?? 'git';
  const defaultTimeout = options.timeoutMs ?? 120_000;
  const baseEnv = pickEnv(options.env, GIT_ENV_ALLOWLIST);
  const networkEnv = pickEnv(options.env, GIT_NETWORK_ENV_ALLOWLIST);
  const pushToken = options.pushToken !== undefined && options.pushToken.trim() !== '' ? options.pushToken.trim() : undefined;
  const pushHost = options.pushTokenHost ?? 'github.com';
  const secrets = [pushToken];
  const fixedEnv: Record<string, string> = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
  };
  const hasEnvIdentity = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'].every((k) => (baseEnv[k] ?? '') !== '');
  let identityEnv: Promise<Record<string, string>> | undefined;
  const identity = (): Promise<Record<string, string>> => {
    identityEnv ??= (async () => {
      if (hasEnvIdentity) return {};
      const found = options.identity ?? (await globalIdentity(binary, options.env));
      const entries: [string, string][] = [];
      if (found?.name) entries.push(['user.name', found.name]);
      if (found?.email) entries.push(['user.email', found.email]);
      const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
      entries.forEach(([key, value], i) => {
        env[`GIT_CONFIG_KEY_${i}`] = key;
        env[`GIT_CONFIG_VALUE_${i}`] = value;
      });
      return entries.length === 0 ? {} : env;
    })();
    return identityEnv;
  };

  return {
    async run(args, runOptions) {
      const timeoutMs = runOptions.timeoutMs ?? defaultTimeout;
      const command = subcommandOf(args);
      const prefix: string[] = [];
      for (const setting of GIT_HARDENING_CONFIG) prefix.push('-c', setting);
      const env: Record<string, string> = {
        ...baseEnv, ...(NETWORK_COMMANDS.has(command) ? networkEnv : {}), ...runOptions.env, ...(await identity()), ...fixedEnv,
      };
      if (command === 'push' && pushToken !== undefined) {
        prefix.push('-c', `credential.https://${pushHost}.helper=${PUSH_CREDENTIAL_HELPER}`);
        env[PUSH_TOKEN_ENV] = pushToken;
      }
      const argv = DIFF_COMMANDS.has(command) ? [command, '--no-ext-diff', '--no-textconv', ...args.slice(1)] : [...args];
      const child = execa(binary, [...prefix, ...argv], {
        cwd: runOptions.cwd,
        env,
        extendEnv: false,
        reject: false,
        stripFinalNewline: false,
        detached: true,
        cleanup: true,
        ...(runOptions.input === undefined ? { stdin: 'ignore' as const } : { input: runOptions.input }),
      });
      let timedOut = false;
      const killGroup = (signal: NodeJS.Signals) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is already gone
        }
      };
      let hardKill: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        hardKill = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      }, Math.max(1, timeoutMs));
      try {
        const result = await child;
        const stdout = redactSecrets(String(result.stdout ?? ''), secrets);
        const stderr = redactSecrets(String(result.stderr ?? ''), secrets);
        if (timedOut) {
          return gitResult(124, stdout, `${stderr}git ${command} timed out after ${timeoutMs} ms\n`, true);
        }
        if (result.exitCode === undefined && result.signal) {
          const signo = osConstants.signals[result.signal as NodeJS.Signals] ?? 0;
          return gitResult(128 + signo, stdout, `${stderr}git ${command} was killed by ${result.signal}\n`);
        }
        if (result.exitCode === undefined) {
          // Could not start (ENOENT, EACCES, bad cwd): execa reports the OS error in `message`.
          const reason = redactSecrets(String((result as { originalMessage?: string }).originalMessage ?? result.message ?? 'git could not be started'), secrets);
          return gitResult(127, '', `${reason}\n`);
        }
        return gitResult(result.exitCode, stdout, stderr);
      } finally {
        clearTimeout(timer);
        if (hardKill) clearTimeout(hardKill);
      }
    },
  };
}

/**
 * `user.name` and `user.email` from the operator's global git config, read with a minimal environment in
 * `/` (no repository), or undefined when git cannot say.
 */
async function globalIdentity(binary: string, env: Readonly<Record<string, string | undefined>>): Promise<GitIdentity | undefined> {
  const lookupEnv: Record<string, string> = { GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  for (const key of ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL']) {
    const value = env[key];
    if (value !== undefined) lookupEnv[key] = value;
  }
  try {
    const result = await execa(binary, ['config', '--global', '--get-regexp', '^user\\.(name|email)$'], {
      cwd: '/',
      env: lookupEnv,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: IDENTITY_LOOKUP_TIMEOUT_MS,
    });
    if (result.exitCode !== 0) return undefined;
    let name = '';
    let email = '';
    for (const line of String(result.stdout).split('\n')) {
      const match = /^user\.(name|email) (.*)$/.exec(line);
      if (match?.[1] === 'name') name = match[2]!.trim();
      if (match?.[1] === 'email') email = match[2]!.trim();
    }
    return name === '' && email === '' ? undefined : { name, email };
  } catch {
    return undefined;
  }
}
