import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeBareFork, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import { createGitRunner, PUSH_CREDENTIAL_HELPER, PUSH_TOKEN_ENV, prepareWorkspace } from '../index.js';

afterEach(() => cleanupTempDirs());

const SECRETS = {
  AGENTPR_TELEGRAM_BOT_TOKEN: '123456:telegram-bot-secret',
  AGENTPR_GITHUB_WEBHOOK_SECRET: 'webhook-secret-value',
  GITHUB_TOKEN: 'ghp_operatortokenvalue000',
  GH_TOKEN: 'gho_othertokenvalue0000',
  GIT_SSH_COMMAND: 'touch /nonexistent/ssh-command',
  GIT_ASKPASS: '/bin/echo',
  SSH_ASKPASS: '/bin/echo',
  GIT_DIR: '/nonexistent/git-dir',
  GIT_CONFIG_PARAMETERS: "'core.hooksPath'='/tmp'",
};

/** A hook or helper script that leaves `marker` behind when it runs. */
function markerScript(path: string, marker: string): void {
  writeFileSync(path, `#!/bin/sh\ntouch '${marker}'\nexit 0\n`);
  chmodSync(path, 0o755);
}

/** A prepared workspace (upstream + fork) whose .git holds planted hooks and an fsmonitor, and a global config with a hooksPath. */
async function plantedWorkspace() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n' } });
  const fork = await makeBareFork(upstream);
  const root = tempDir('agentpr-ws-root-');
  const dir = join(root, 'o', 'r', 'run_1');
  await prepareWorkspace(createGitRunner({ env: testGitEnv() }), { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' });
  const markers = tempDir('agentpr-markers-');
  for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'post-checkout', 'reference-transaction', 'pre-auto-gc']) {
    markerScript(join(dir, '.git', 'hooks', hook), join(markers, hook));
  }
  markerScript(join(markers, 'fsmonitor.sh'), join(markers, 'fsmonitor'));
  await git(dir, ['config', 'core.fsmonitor', join(markers, 'fsmonitor.sh')]);
  // What an operator's ~/.gitconfig could say; the runner must not read it.
  const home = tempDir('agentpr-home-');
  const globalHooks = join(home, 'hooks');
  mkdirSync(globalHooks);
  for (const hook of ['pre-commit', 'pre-push', 'post-checkout']) markerScript(join(globalHooks, hook), join(markers, `global-${hook}`));
  writeFileSync(join(home, '.gitconfig'), `[core]\n\thooksPath = ${globalHooks}\n[user]\n\tname = Operator Person\n\temail = operator@example.com\n`);
  const { GIT_CONFIG_GLOBAL: _global, GIT_AUTHOR_NAME: _an, GIT_AUTHOR_EMAIL: _ae, GIT_COMMITTER_NAME: _cn, GIT_COMMITTER_EMAIL: _ce, ...rest } = testGitEnv();
  const operatorEnv = { ...rest, HOME: home, ...SECRETS };
  return { dir, fork, markers, operatorEnv };
}

/** A fake git that writes its argv and environment (NUL-separated) into `dumpDir` and prints the push token to stderr. */
function fakeGit(): { binary: string; dumps: () => { argv: string[]; env: Record<string, string> }[] } {
  const dir = tempDir('agentpr-fake-git-');
  const dumpDir = join(dir, 'dumps');
  mkdirSync(dumpDir);
  const binary = join(dir, 'git');
  writeFileSync(
    binary,
    `#!/bin/sh\nd=$(mktemp -d '${dumpDir}/call-XXXXXX')\nprintf '%s\\0' "$@" > "$d/argv"\nenv -0 > "$d/env"\necho "remote: token is \${${PUSH_TOKEN_ENV}:-none}" >&2\nexit 0\n`,
  );
  chmodSync(binary, 0o755);
  const dumps = () =>
    readdirSync(dumpDir).map((call) => {
      const argv = readFileSync(join(dumpDir, call, 'argv'), 'utf8').split('\0').slice(0, -1);
      const env: Record<string, string> = {};
      for (const pair of readFileSync(join(dumpDir, call, 'env'), 'utf8').split('\0')) {
        const eq = pair.indexOf('=');
        if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      return { argv, env };
    });
  return { binary, dumps };
}

/** The argv after the `-c` prefix. */
function command(argv: string[]): string[] {
  let i = 0;
  while (argv[i] === '-c') i += 2;
  return argv.slice(i);
}

function configs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; argv[i] === '-c'; i += 2) out.push(argv[i + 1]!);
  return out;
}

describe('createGitRunner hardening', () => {
  it('planted hooks, a repository fsmonitor and a global hooksPath never run during status, diff, add, commit, switch and push', async () => {
    const { dir, fork, markers, operatorEnv } = await plantedWorkspace();
    const runner = createGitRunner({ env: operatorEnv, pushToken: 'ghp_pushtokenvalue0000' });
    writeFileSync(join(dir, 'new.txt'), 'x\n');

    for (const args of [['status', '--porcelain'], ['diff', 'HEAD'], ['add', 'new.txt'], ['diff', '--cached', '--stat']]) {
      expect((await runner.run(args, { cwd: dir })).gitExit).toBe(0);
    }
    const commit = await runner.run(['commit', '--quiet', '--file=-'], { cwd: dir, input: 'feat: x\n' });
    expect(commit, commit.stderr).toMatchObject({ ok: true, gitExit: 0 });
    expect((await runner.run(['switch', '--quiet', '-c', 'other'], { cwd: dir })).gitExit).toBe(0);
    const push = await runner.run(['push', '--porcelain', 'origin', 'HEAD:refs/heads/agentpr/x'], { cwd: dir });
    expect(push.gitExit, push.stderr).toBe(0);

    expect(readdirSync(markers).sort()).toEqual(['fsmonitor.sh']);
    expect(await git(fork.url, ['rev-parse', 'refs/heads/agentpr/x'])).toBe(await git(dir, ['rev-parse', 'HEAD']));
    // The global config is not read for hooks, but its identity is used for the commit.
    expect(await git(dir, ['log', '-1', '--format=%an <%ae>|%cn <%ce>'])).toBe('Operator Person <operator@example.com>|Operator Person <operator@example.com>');

    // Control: plain git with the repository config does run the planted fsmonitor, so the plant works.
    await execa('git', ['status', '--porcelain'], { cwd: dir, env: testGitEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(existsSync(join(markers, 'fsmonitor'))).toBe(true);
  });

  it('a credential helper and ssh command planted in .git/config never run', async () => {
    const { dir, markers, operatorEnv } = await plantedWorkspace();
    markerScript(join(markers, 'helper.sh'), join(markers, 'helper'));
    markerScript(join(markers, 'ssh.sh'), join(markers, 'ssh'));
    await git(dir, ['config', 'credential.helper', join(markers, 'helper.sh')]);
    await git(dir, ['config', 'core.sshCommand', join(markers, 'ssh.sh')]);
    const runner = createGitRunner({ env: operatorEnv, timeoutMs: 20_000 });

    const fill = await runner.run(['credential', 'fill'], { cwd: dir, input: 'protocol=https\nhost=example.com\n\n' });
    expect(fill.ok).toBe(false);
    expect(fill.gitExit).not.toBe(0);
    await runner.run(['ls-remote', 'ssh://git@127.0.0.1:1/x.git'], { cwd: dir });

    expect(readdirSync(markers).filter((m) => !m.endsWith('.sh'))).toEqual([]);
  });

  it('git sees only allowlisted environment: no bot token, webhook secret, GitHub token, HOME, GIT_DIR or askpass', async () => {
    const fake = fakeGit();
    const runner = createGitRunner({ env: { ...testGitEnv({ LC_ALL: 'C', TZ: 'UTC', SSH_AUTH_SOCK: '/run/agent.sock' }), ...SECRETS }, binary: fake.binary, pushToken: 'ghp_pushtokenvalue0000' });
    const result = await runner.run(['diff', '--name-only', 'HEAD', '--'], { cwd: tempDir(), env: { GIT_INDEX_FILE: '/tmp/idx' } });
    expect(result.gitExit).toBe(0);

    const [call] = fake.dumps();
    for (const name of [...Object.keys(SECRETS), 'HOME', PUSH_TOKEN_ENV, 'SSH_AUTH_SOCK']) expect(call!.env[name], name).toBeUndefined();
    expect(Object.values(call!.env).join('\n')).not.toMatch(/secret|tokenvalue/);
    expect(call!.env).toMatchObject({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C', TZ: 'UTC', GIT_INDEX_FILE: '/tmp/idx', GIT_AUTHOR_NAME: 'agentpr test' });
    expect(configs(call!.argv)).toEqual(expect.arrayContaining(['core.hooksPath=/dev/null', 'core.fsmonitor=false', 'credential.helper=', 'core.sshCommand=ssh', 'protocol.ext.allow=never', 'core.askPass=', 'commit.gpgSign=false']));
    expect(command(call!.argv)).toEqual(['diff', '--no-ext-diff', '--no-textconv', '--name-only', 'HEAD', '--']);
    expect(call!.argv.join(' ')).not.toContain('tokenvalue');
    expect(result.stderr).toBe('remote: token is none\n');
  });

  it('push alone gets the token, in its environment through an inline credential helper, never in argv, and redacted from stderr', async () => {
    const fake = fakeGit();
    const token = 'v1.0123456789abcdef-not-a-known-shape';
    const runner = createGitRunner({ env: { ...testGitEnv({ SSH_AUTH_SOCK: '/run/agent.sock' }), ...SECRETS }, binary: fake.binary, pushToken: token });
    const push = await runner.run(['push', '--porcelain', 'origin', 'HEAD:refs/heads/x'], { cwd: tempDir() });

    const [call] = fake.dumps();
    expect(call!.env[PUSH_TOKEN_ENV]).toBe(token);
    expect(call!.env.SSH_AUTH_SOCK).toBe('/run/agent.sock');
    expect(call!.env.GITHUB_TOKEN).toBeUndefined();
    expect(call!.argv.join('\0')).not.toContain(token);
    const settings = configs(call!.argv);
    // The reset comes first, then the one helper scoped to github.com.
    expect(settings.indexOf('credential.helper=')).toBeLessThan(settings.indexOf(`credential.https://github.com.helper=${PUSH_CREDENTIAL_HELPER}`));
    expect(settings.filter((s) => s.startsWith('credential.'))).toEqual(['credential.helper=', `credential.https://github.com.helper=${PUSH_CREDENTIAL_HELPER}`]);
    expect(command(call!.argv)).toEqual(['push', '--porcelain', 'origin', 'HEAD:refs/heads/x']);
    expect(push.stderr).toBe('remote: token is ***\n');
  });

  it('the push credential helper answers github.com with the token from its environment and nothing for another host (real git credential fill)', async () => {
    const token = 'ghs_helpertokenvalue000';
    const run = (host: string) =>
      execa('git', ['-c', 'credential.helper=', '-c', `credential.https://github.com.helper=${PUSH_CREDENTIAL_HELPER}`, 'credential', 'fill'], {
        cwd: tempDir(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', [PUSH_TOKEN_ENV]: token },
        extendEnv: false,
        reject: false,
        input: `protocol=https\nhost=${host}\n\n`,
      });
    const github = await run('github.com');
    expect(github.exitCode).toBe(0);
    expect(github.stdout).toContain('username=x-access-token');
    expect(github.stdout).toContain(`password=${token}`);
    const other = await run('evil.example');
    expect(other.exitCode).not.toBe(0);
    expect(other.stdout).not.toContain(token);
  });

  it('GIT_AUTHOR_*/GIT_COMMITTER_* in the environment win over an explicit identity, and an explicit identity is passed as GIT_CONFIG_COUNT', async () => {
    const fake = fakeGit();
    await createGitRunner({ env: testGitEnv(), binary: fake.binary, identity: { name: 'Explicit', email: 'e@x' } }).run(['commit'], { cwd: tempDir() });
    const { GIT_AUTHOR_NAME: _an, GIT_AUTHOR_EMAIL: _ae, GIT_COMMITTER_NAME: _cn, GIT_COMMITTER_EMAIL: _ce, ...bare } = testGitEnv();
    await createGitRunner({ env: bare, binary: fake.binary, identity: { name: 'Explicit', email: 'e@x' } }).run(['commit'], { cwd: tempDir() });
    const [withEnv, withIdentity] = fake.dumps().sort((a, b) => Number(a.env.GIT_CONFIG_COUNT !== undefined) - Number(b.env.GIT_CONFIG_COUNT !== undefined));
    expect(withEnv!.env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(withEnv!.env.GIT_AUTHOR_NAME).toBe('agentpr test');
    expect(withIdentity!.env).toMatchObject({ GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'Explicit', GIT_CONFIG_KEY_1: 'user.email', GIT_CONFIG_VALUE_1: 'e@x' });
    expect(withIdentity!.env.GIT_AUTHOR_NAME).toBeUndefined();
  });
});
