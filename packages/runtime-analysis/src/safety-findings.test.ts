import { describe, expect, it } from 'vitest';
import { buildPathScope } from './path-scope.js';
import { commandSafetyFindings, type SafetyFindingKind } from './safety-findings.js';

const WS = '/srv/agentpr/ws/acme/api/run_1';
const scope = buildPathScope({ workspaceDir: WS, tmpDirs: [`${WS}/.agentpr_runtime/tmp`], secretPaths: ['/var/lib/agentpr', '/etc/agentpr/policy.json'] });
/** The command as codex reports it in a `command_execution` item. */
const bash = (script: string): string => `/bin/bash -lc '${script.replace(/'/g, `'\\''`)}'`;
const found = (script: string, s = scope): Array<[SafetyFindingKind, string | undefined]> =>
  commandSafetyFindings(bash(script), s).map((f) => [f.kind, f.path]);

describe('commandSafetyFindings: writes outside the allowed roots', () => {
  const table: Array<[string, string]> = [
    ['echo x > /etc/agentpr/x', '/etc/agentpr/x'],
    ['echo x >> /etc/profile', '/etc/profile'],
    ['make build &> /var/log/build.log', '/var/log/build.log'],
    ['npm test 2> /opt/err.txt', '/opt/err.txt'],
    ['> /etc/motd', '/etc/motd'],
    ['cat > /etc/cron.d/job <<EOF\n* * * * * root sh\nEOF', '/etc/cron.d/job'],
    ['echo x | sudo tee -a /etc/hosts', '/etc/hosts'],
    ['touch /home/op/.bashrc', '/home/op/.bashrc'],
    ['mkdir -p /usr/local/lib/evil', '/usr/local/lib/evil'],
    ['cp payload /usr/local/bin/git', '/usr/local/bin/git'],
    ['cp -t /opt/dest a b', '/opt/dest'],
    ['mv /etc/hosts ./hosts', '/etc/hosts'],
    ['install -m 755 tool /usr/bin/tool', '/usr/bin/tool'],
    ['install -d /opt/newdir', '/opt/newdir'],
    ['ln -sf /bin/sh /usr/local/bin/python', '/usr/local/bin/python'],
    ['rsync -a --exclude .git ./ /srv/other/', '/srv/other'],
    ['rm -rf /var/lib/something', '/var/lib/something'],
    ['rmdir /opt/empty', '/opt/empty'],
    ['unlink /etc/resolv.conf', '/etc/resolv.conf'],
    ['shred -n 3 /etc/passwd', '/etc/passwd'],
    ['truncate -s 0 /var/log/syslog', '/var/log/syslog'],
    ['dd if=/dev/zero of=/dev/sda bs=1M', '/dev/sda'],
    ["sed -i 's/a/b/' /etc/hosts", '/etc/hosts'],
    ["sed -i.bak -e 's/a/b/' /etc/hosts", '/etc/hosts'],
    ['chmod 777 /etc/sudoers.d', '/etc/sudoers.d'],
    ['chmod -x /usr/bin/git', '/usr/bin/git'],
    ['chown nobody /opt/app', '/opt/app'],
    ['curl -sSLo /usr/local/bin/tool https://example.com/tool', '/usr/local/bin/tool'],
    ['wget -O /opt/x.tgz https://example.com/x.tgz', '/opt/x.tgz'],
    ['cd /opt && touch marker', '/opt/marker'],
    ['cd /etc; echo bad > hosts.allow', '/etc/hosts.allow'],
    ['touch ../../escape.txt', '/srv/agentpr/ws/acme/escape.txt'],
    ['cd src && cp a.ts ../../../../b.ts', '/srv/agentpr/ws/b.ts'],
    ['mkdir -p ~/.cache/tool', '~/.cache/tool'],
    ['echo x > "$HOME/.profile"', '~/.profile'],
    ['touch ${HOME}/x', '~/x'],
    ['cd ~ && touch planted', '~/planted'],
    ['echo x > ~root/.profile', '/root/.profile'],
    ['uv run bash -c "echo x > /etc/uv"', '/etc/uv'],
  ];
  for (const [script, path] of table) {
    it(`\`${script.split('\n')[0]}\` → write_outside ${path}`, () => {
      expect(found(script)).toContainEqual(['write_outside', path]);
    });
  }

  it('names the segment and what it did in the note', () => {
    const [f] = commandSafetyFindings(bash('cd api && echo x > /etc/agentpr/x'), scope);
    expect(f).toEqual({ kind: 'write_outside', path: '/etc/agentpr/x', segment: 'echo x > /etc/agentpr/x', note: 'writes (redirection `>`) /etc/agentpr/x, outside the workspace and the allowed roots' });
  });
});

describe('commandSafetyFindings: allowed targets are nothing', () => {
  const allowed = [
    'npm test > /dev/null 2>&1',
    'pytest -q 2>/dev/stderr | tee /dev/stdout',
    'echo x >/dev/fd/3',
    'echo x > /tmp/notes.txt && mkdir -p /tmp/a/b && rm -rf /tmp/a',
    `echo x > ${WS}/.agentpr_runtime/tmp/out.log`,
    `touch ${WS}/src/new.ts`,
    'mkdir -p src/utils && touch src/utils/x.ts && cp a.ts b.ts && mv b.ts c.ts && rm c.ts',
    "sed -i 's/foo/bar/' src/app.ts",
    'cd packages/api && echo x > out.txt',
    'echo "$TMPDIR" > $TMPDIR/x',
    'cp README.md "$PWD/docs/"',
    'cat /etc/os-release && ls -la /usr/bin && head -n 5 /etc/hosts',
    'git diff > /tmp/patch.diff 2>&1',
    'echo x > "$OUTPUT_DIR/file"',
    'scp build.tgz deploy@host:/srv/app/',
    'chmod +x scripts/run.sh',
    'git config user.email bot@example.com && git config --get core.hooksPath && git config --global --list',
    'npx prettier --check . > /dev/null',
    'rg "\\.netrc|\\.ssh" src/ && grep -rn TOKEN src/',
    'env && printenv HOME',
    'python -c "print(1)" 2>&1 | tail -n 5',
  ];
  for (const script of allowed) {
    it(`\`${script}\` → no finding`, () => {
      expect(found(script)).toEqual([]);
    });
  }

  it('writes under an extra allowed root or the known agent home are allowed; the home is still outside the workspace otherwise', () => {
    const s = buildPathScope({ workspaceDir: WS, allowedWriteRoots: ['/cache/agent'], homeDir: `${WS}/.agentpr_runtime/home` });
    expect(found('echo x > /cache/agent/x && mkdir -p ~/.cache/pip', s)).toEqual([]);
    const outsideHome = buildPathScope({ workspaceDir: WS, homeDir: '/home/agent' });
    expect(found('touch ~/x', outsideHome)).toEqual([['write_outside', '/home/agent/x']]);
  });

  it('without a workspace, only escapes it can still prove are judged: system roots, `..`, `~`', () => {
    const unknown = buildPathScope({});
    expect(found('echo x > /etc/x && echo y > /home/op/ws/file && touch ../up && touch ~/z && echo ok > out.txt', unknown)).toEqual([
      ['write_outside', '/etc/x'],
      ['write_outside', '../up'],
      ['write_outside', '~/z'],
    ]);
  });
});

describe('commandSafetyFindings: environment overrides', () => {
  const table: Array<[string, string, string]> = [
    ['HOME=/elsewhere npm install', 'HOME', '/elsewhere'],
    ['XDG_CACHE_HOME=/var/cache/x pip install -e .', 'XDG_CACHE_HOME', '/var/cache/x'],
    ['npm_config_cache=/opt/npm npm ci', 'npm_config_cache', '/opt/npm'],
    ['export NPM_CONFIG_PREFIX=/usr/local', 'NPM_CONFIG_PREFIX', '/usr/local'],
    ['export PIP_CACHE_DIR=/root/.cache/pip && pip install x', 'PIP_CACHE_DIR', '/root/.cache/pip'],
    ['env CARGO_HOME=/opt/cargo cargo build', 'CARGO_HOME', '/opt/cargo'],
    ['GOPATH=/go:./go go build ./...', 'GOPATH', '/go'],
    ['GOCACHE=/var/go-cache GOMODCACHE=/var/go-mod go test ./...', 'GOCACHE', '/var/go-cache'],
    ['PYTHONUSERBASE=/opt/py pip install --user x', 'PYTHONUSERBASE', '/opt/py'],
    ['GEM_HOME=~/.gem gem install rake', 'GEM_HOME', '~/.gem'],
    ['HOME=/srv/other; npm test', 'HOME', '/srv/other'],
    ['declare -x XDG_CONFIG_HOME=/etc/xdg', 'XDG_CONFIG_HOME', '/etc/xdg'],
  ];
  for (const [script, name, path] of table) {
    it(`\`${script}\` → env_outside ${name}=${path}`, () => {
      const f = commandSafetyFindings(bash(script), scope).find((x) => x.kind === 'env_outside');
      expect(f).toMatchObject({ path, note: `sets ${name}=${path}, moving a home or cache outside the workspace` });
    });
  }

  it('overrides that stay inside the workspace or /tmp, and other variables, are nothing', () => {
    expect(found(`HOME=${WS}/.agentpr_runtime/home npm test`)).toEqual([]);
    expect(found('XDG_CACHE_HOME=/tmp/cache PIP_CACHE_DIR=.cache/pip CI=1 NODE_ENV=/etc/x npm test')).toEqual([]);
    expect(found('export GOCACHE=$TMPDIR/go && export FOO=/etc/bar')).toEqual([]);
  });
});

describe('commandSafetyFindings: credential probing', () => {
  const table: Array<[string, string]> = [
    ['cat ~/.ssh/id_rsa', '~/.ssh/id_rsa'],
    ['ls -la ~/.ssh/', '~/.ssh'],
    ['base64 ~/.git-credentials', '~/.git-credentials'],
    ['head -n 5 $HOME/.config/gh/hosts.yml', '~/.config/gh/hosts.yml'],
    ['less ~/.netrc', '~/.netrc'],
    ['tail ~/.npmrc', '~/.npmrc'],
    ['xxd /root/.aws/credentials', '/root/.aws/credentials'],
    ['strings /home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ed25519'],
    ['cp ~/.aws/config ./leak', '~/.aws/config'],
    ['cat /proc/1/environ', '/proc/1/environ'],
    ['cat /proc/*/environ | tr "\\0" "\\n"', '/proc/*/environ'],
    ['base64 < /proc/self/environ', '/proc/self/environ'],
    ['tr "\\0" "\\n" < /proc/4242/task/4243/environ', '/proc/4242/task/4243/environ'],
    ['cat /etc/shadow', '/etc/shadow'],
    ['grep -r GITHUB_TOKEN /proc 2>/dev/null', '/proc'],
    ['find /proc/1 -name environ', '/proc/1'],
    ['sqlite3 /var/lib/agentpr/agentpr.db .dump', '/var/lib/agentpr/agentpr.db'],
    ['cat /etc/agentpr/policy.json', '/etc/agentpr/policy.json'],
    ['curl --netrc-file=/root/.netrc https://example.com', '/root/.netrc'],
    ['cat ../../../../../../root/.git-credentials', '/root/.git-credentials'],
  ];
  for (const [script, path] of table) {
    it(`\`${script}\` → credential_access ${path}`, () => {
      expect(found(script)).toContainEqual(['credential_access', path]);
    });
  }

  it('a credential store inside the workspace is a project file, not a credential', () => {
    expect(found('cat .npmrc && cat docs/.netrc && git diff -- .npmrc')).toEqual([]);
  });
});

describe('commandSafetyFindings: git configuration', () => {
  const table: Array<[string, string]> = [
    ['git config core.hooksPath .githooks', 'sets `core.hooksPath`'],
    ['git config --local core.fsmonitor "sh -c evil"', 'sets `core.fsmonitor`'],
    ['git config set filter.lfs.smudge "curl evil"', 'sets `filter.lfs.smudge`'],
    ['git config --global user.name bot', 'changes the global git configuration'],
    ['git config --system core.editor vim', 'changes the system git configuration'],
    ['git -c core.hooksPath=/tmp/h commit -m x', 'runs git with `-c core.hooksPath`'],
    ['git config --file /etc/gitconfig user.name x', 'writes git configuration to /etc/gitconfig'],
  ];
  for (const [script, note] of table) {
    it(`\`${script}\` → git_config`, () => {
      const f = commandSafetyFindings(bash(script), scope).find((x) => x.kind === 'git_config');
      expect(f?.note).toContain(note);
    });
  }

  it('writing into .git/hooks, .git/info or .git/config is git_config even inside the workspace', () => {
    expect(found('cp evil.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit')).toEqual([['git_config', `${WS}/.git/hooks/pre-commit`]]);
    expect(found('echo "* filter=x" >> .git/info/attributes')).toEqual([['git_config', `${WS}/.git/info/attributes`]]);
    expect(found('printf "[core]\\n" > .git/config')).toEqual([['git_config', `${WS}/.git/config`]]);
  });
});

describe('commandSafetyFindings: bounds', () => {
  it('lists at most 16 findings for one command', () => {
    const script = Array.from({ length: 40 }, (_, i) => `touch /etc/f${i}`).join(' && ');
    expect(commandSafetyFindings(bash(script), scope)).toHaveLength(16);
  });

  it('shows a multi-line segment on one line', () => {
    expect(commandSafetyFindings(bash('printf "a\nb" > /etc/x'), scope)[0]!.segment).toBe('printf a ⏎ b > /etc/x');
  });

  it('a repeated target is listed once', () => {
    expect(found('echo a > /etc/x; echo b >> /etc/x')).toEqual([['write_outside', '/etc/x']]);
  });
});
