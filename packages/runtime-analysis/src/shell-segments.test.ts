import { describe, expect, it } from 'vitest';
import { parseShellCommand, shellJoin, shellWords, shellWrapperScript } from './shell-segments.js';

const programs = (command: string): string[] => parseShellCommand(command).map((s) => s.program);
const stripped = (command: string): string[] => parseShellCommand(command).map((s) => s.stripped.join(' '));

describe('parseShellCommand', () => {
  it('unwraps `/bin/zsh -lc` with a single-quoted script', () => {
    expect(stripped(`/bin/zsh -lc 'git status --short && git branch --show-current'`)).toEqual(['git status --short', 'git branch --show-current']);
  });

  it("unwraps a zsh script that uses the '\"'\"' quoting codex produces", () => {
    expect(stripped(`/bin/zsh -lc 'rg -n "''^#|Memory Layer|Install" README.md | head -n 20'`)).toEqual(['rg -n ^#|Memory Layer|Install README.md', 'head -n 20']);
    expect(stripped(`/bin/zsh -lc "rg --files | awk -F. 'NF>1 {print "'$NF}'"' | sort"`)).toEqual(['rg --files', 'awk -F. NF>1 {print $NF}', 'sort']);
  });

  it('unwraps `/bin/bash -c` with a double-quoted script and escaped quotes inside', () => {
    const segs = parseShellCommand(`/bin/bash -c "node -e \\"console.log('tests passed'); process.exit(0)\\""`);
    expect(segs).toHaveLength(1);
    expect(segs[0]!.stripped).toEqual(['node', '-e', "console.log('tests passed'); process.exit(0)"]);
  });

  it('unwraps an unquoted script (`/bin/zsh -lc pwd`) and a nested wrapper', () => {
    expect(programs('/bin/zsh -lc pwd')).toEqual(['pwd']);
    expect(stripped(`bash -lc "sh -c 'make test'"`)).toEqual(['make test']);
  });

  it('splits at && || ; | & and newlines outside quotes, not inside them', () => {
    expect(programs(`a && b || c; d | e & f\ng`)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(stripped(`echo "a && b; c | d"`)).toEqual(['echo a && b; c | d']);
  });

  it('strips env assignments and the prefixes sudo, env, time, command, exec, nohup, timeout', () => {
    const segs = parseShellCommand(`FOO=1 BAR="x y" env -u HOME time -p nohup timeout 30s make test`);
    expect(segs[0]!.stripped).toEqual(['make', 'test']);
    expect(segs[0]!.program).toBe('make');
    expect(parseShellCommand('sudo -u root -E apt-get install x')[0]).toMatchObject({ program: 'apt-get', sudo: true });
    expect(parseShellCommand('command -v pytest')[0]!.program).toBe('command');
  });

  it('takes the basename of the program (`.venv/bin/pytest` → pytest)', () => {
    expect(programs('.venv/bin/pytest -q')).toEqual(['pytest']);
  });

  it('drops redirections and here-document bodies', () => {
    expect(stripped(`pytest -q > out.txt 2>&1`)).toEqual(['pytest -q']);
    expect(stripped(`cat > notes.md <<'EOF'\nsudo rm -rf /\nmake test\nEOF\necho done`)).toEqual(['cat', 'echo done']);
  });

  it('lists file redirections with their operator and target, but not fd duplications or here-strings', () => {
    const segs = parseShellCommand(`pytest -q > out.txt 2>&1 && cat < in.txt >> log 2> err; make &> /tmp/all; wc <<< "a b"; cat <<EOF > /etc/x\nbody\nEOF`);
    expect(segs.map((s) => [s.program, s.redirects.map((r) => `${r.op} ${r.target} ${r.write ? 'w' : 'r'}`)])).toEqual([
      ['pytest', ['> out.txt w']],
      ['cat', ['< in.txt r', '>> log w', '2> err w']],
      ['make', ['&> /tmp/all w']],
      ['wc', []],
      ['cat', ['> /etc/x w']],
    ]);
  });

  it('keeps a redirection-only or assignment-only command as a segment without a program', () => {
    expect(parseShellCommand('> /etc/motd; HOME=/x; true').map((s) => [s.program, s.words.join(' '), s.redirects.length])).toEqual([
      ['', '', 1],
      ['', 'HOME=/x', 0],
      ['true', 'true', 0],
    ]);
  });

  it('a redirection without a target does not swallow the next command', () => {
    expect(programs('echo >\nmake test')).toEqual(['echo', 'make']);
  });

  it('cd ~ keeps a `~`-rooted directory for the segments after it', () => {
    expect(parseShellCommand('cd ~ && cd .cache && touch x').map((s) => s.dir)).toEqual(['.', '~', '~/.cache']);
  });

  it('tracks cd into following segments', () => {
    const segs = parseShellCommand(`cd embedchain && make test`);
    expect(segs.map((s) => [s.program, s.dir])).toEqual([
      ['cd', '.'],
      ['make', 'embedchain'],
    ]);
  });

  it('expands $(…) and backtick substitutions as masked segments', () => {
    const segs = parseShellCommand(`echo $(sudo cat /etc/shadow) \`whoami\``);
    expect(segs.map((s) => [s.program, s.sudo, s.masked])).toEqual([
      ['cat', true, true],
      ['whoami', false, true],
      ['echo', false, false],
    ]);
  });

  it('marks a segment masked when a pipe, ||, ; or & follows it, unless pipefail / set -e say otherwise', () => {
    const masked = (cmd: string): boolean[] => parseShellCommand(cmd).map((s) => s.masked);
    expect(masked('pytest | tail -n 5')).toEqual([true, false]);
    expect(masked('pytest || true')).toEqual([true, false]);
    expect(masked('pytest; echo done')).toEqual([true, false]);
    expect(masked('cd x && pytest')).toEqual([false, false]);
    expect(masked('pytest && echo ok | tee log')).toEqual([false, true, false]);
    expect(masked('set -o pipefail; pytest | tail')).toEqual([true, false, false]);
    expect(masked('set -e; pytest; echo done')).toEqual([false, false, false]);
    expect(masked('(pytest) | tail')).toEqual([true, false]);
  });

  it('skips reserved words and loop headers', () => {
    expect(programs(`for f in a b; do sed -n 1p "$f"; done`)).toEqual(['sed']);
    expect(programs(`if [ -f x ]; then make test; fi`)).toEqual(['[', 'make']);
  });

  it('is bounded on huge input', () => {
    const segs = parseShellCommand('true; '.repeat(100_000));
    expect(segs.length).toBeLessThanOrEqual(400);
  });
});

describe('shell helpers', () => {
  it('shellWrapperScript recognises -c, -lc and long options before them', () => {
    expect(shellWrapperScript(['/bin/bash', '-lc', 'x'])).toBe('x');
    expect(shellWrapperScript(['bash', '--noprofile', '-c', 'y'])).toBe('y');
    expect(shellWrapperScript(['bash', 'finish.sh'])).toBeUndefined();
    expect(shellWrapperScript(['python', '-c', 'x'])).toBeUndefined();
  });

  it('shellJoin quotes argv so that shellWords reads it back', () => {
    const argv = ['bash', '-lc', `node -e "console.log('hi')"`];
    expect(shellWords(shellJoin(argv))).toEqual(argv);
  });
});
