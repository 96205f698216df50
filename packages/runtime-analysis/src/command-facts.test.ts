import { describe, expect, it } from 'vitest';
import { commandCategory, commandFacts, targetCovers, type TestTarget } from './command-facts.js';

const kinds = (command: string): string[] => commandFacts(command).testTargets.map((t) => `${t.kind}:${t.normalized}`);

describe('commandFacts test targets (the test patterns and their extensions)', () => {
  it.each([
    ['make test', 'test:make test'],
    ['make lint', 'lint:make lint'],
    ['make test-py-3.11', 'test:make test-py-3.11'],
    ['pytest tests/ -q', 'test:pytest tests/ -q'],
    ['tox -e py311', 'test:tox -e py311'],
    ['hatch test', 'test:hatch test'],
    ['hatch run test', 'test:hatch run test'],
    ['hatch run dev_py_3_11:test', 'test:hatch run dev_py_3_11:test'],
    ['bun test', 'test:bun test'],
    ['bun run typecheck', 'typecheck:bun run typecheck'],
    ['npm test', 'test:npm test'],
    ['pnpm test', 'test:pnpm test'],
    ['yarn test', 'test:yarn test'],
  ])('the test pattern %s is a validation run', (command, expected) => {
    expect(kinds(`/bin/zsh -lc '${command}'`)).toEqual([expected]);
  });

  it.each([
    ['python -m pytest -x', 'test:pytest -x'],
    ['python3.11 -m pytest tests/x.py', 'test:pytest tests/x.py'],
    ['uv run --frozen pytest', 'test:pytest'],
    ['poetry run pytest', 'test:pytest'],
    ['hatch run pytest tests/configs/test_prompts.py -q', 'test:pytest tests/configs/test_prompts.py -q'],
    ['hatch run lint', 'lint:hatch run lint'],
    ['npm run test:unit', 'test:npm run test:unit'],
    ['pnpm lint', 'lint:pnpm lint'],
    ['yarn typecheck', 'typecheck:yarn typecheck'],
    ['npx vitest run', 'test:vitest run'],
    ['go test ./...', 'test:go test ./...'],
    ['cargo test', 'test:cargo test'],
    ['ruff check .', 'lint:ruff check .'],
    ['ruff format --check', 'lint:ruff format --check'],
    ['mypy mem0', 'typecheck:mypy mem0'],
    ['npx tsc --noEmit', 'typecheck:tsc --noEmit'],
    ['python manage.py test', 'test:python manage.py test'],
    ['make -C embedchain test', 'test:make -C embedchain test'],
  ])('the extension %s is a validation run', (command, expected) => {
    expect(kinds(command)).toEqual([expected]);
  });

  it.each([
    'which pytest',
    'rg "bun test" .github',
    'rg -n "typecheck|bun test|bun run" .github -S',
    'pytest --version',
    'pytest --collect-only -q',
    'hatch run pytest --version',
    'hatch run pip install -e ".[test,graph]"',
    'echo "make test"',
    'cat Makefile | grep test',
    'command -v pytest',
    'ruff format src',
    'make -n test',
    'tox -l',
    'npm install',
  ])('%s is no validation run', (command) => {
    expect(kinds(`/bin/zsh -lc '${command.replace(/'/g, `'"'"'`)}'`)).toEqual([]);
  });

  it('finds every validation segment of a chain, with its directory and masking', () => {
    const t = commandFacts(`/bin/zsh -lc 'cd api && make lint && FOO=1 pytest -k slow tests/a | tail -n 20'`).testTargets;
    expect(t.map((x) => [x.kind, x.dir, x.masked, x.paths, x.selectors])).toEqual([
      ['lint', 'api', false, [], []],
      ['test', 'api', true, ['tests/a'], ['-k=slow']],
    ]);
  });

  it('looks inside a runner that wraps a shell (`hatch run sh -c …`)', () => {
    expect(kinds(`hatch run sh -c 'which pytest; pytest -q'`)).toEqual(['test:pytest -q']);
  });
});

describe('commandFacts safety rules', () => {
  it.each([
    ['rg sudo', []],
    ['cat finish.sh', []],
    ['echo x | sudo tee /etc/f', ['sudo']],
    ['SUDO apt-get install x', ['sudo']],
    ['FOO=1 env time sudo -E make install', ['sudo']],
    ['brew install jq', ['brew_install']],
    ['brew list', []],
    ['npm install -g typescript', ['npm_global']],
    ['npm ls -g', []],
    ['pnpm add --global x', ['pnpm_global']],
    ['yarn global add x', ['yarn_global']],
    ['uv tool install ruff', ['uv_tool_install']],
    ['poetry self add x', ['poetry_self']],
    ['poetry self show', []],
    ['python -m pip install --user x', ['pip_global_install']],
    ['pip install -e .', []],
    ['echo $(sudo cat /etc/shadow)', ['sudo']],
  ] as const)('%s → %j', (command, rules) => {
    expect(commandFacts(`/bin/bash -c '${command}'`).safety).toEqual(rules);
  });
});

describe('commandFacts git signals', () => {
  it.each([
    ['git push origin main', true],
    ['git -C repo -c user.name=x commit -m msg', true],
    ['git --no-pager push', true],
    ['git status --porcelain', false],
    ['git log --oneline', false],
    ['cat finish.sh', false],
    ['bash scripts/finish.sh', true],
    ['./finish.sh', true],
    ['rg "git push" docs', false],
  ] as const)('%s → %s', (command, git) => {
    expect(commandFacts(`/bin/zsh -lc '${command}'`).git).toBe(git);
  });
});

describe('commandCategory (categories, first match wins)', () => {
  it.each([
    ['pip install -r requirements.txt', 'dependency_install'],
    ['hatch run pip install -e ".[test]"', 'dependency_install'],
    ['make test', 'tests'],
    ['ruff check', 'lint_or_typecheck'],
    ['git status', 'git_ops'],
    ['sed -n 1,20p README.md', 'repo_reading'],
    ['node -e 1', 'other'],
  ])('%s → %s', (command, category) => {
    expect(commandCategory(command)).toBe(category);
  });
});

describe('targetCovers', () => {
  const t = (over: Partial<TestTarget>): TestTarget => ({ kind: 'test', family: 'python', dir: '.', paths: [], selectors: [], normalized: 'pytest', masked: false, ...over });

  it('a later whole-suite run of the same kind covers a file-level failure (make test ⊇ pytest tests/x.py)', () => {
    expect(targetCovers(t({ family: 'make', normalized: 'make test' }), t({ paths: ['tests/x.py'], normalized: 'pytest tests/x.py' }))).toBe(true);
  });

  it('a directory covers the files and test ids below it, not siblings', () => {
    expect(targetCovers(t({ paths: ['tests'], normalized: 'pytest tests' }), t({ paths: ['tests/a.py::test_x'], normalized: 'pytest tests/a.py::test_x' }))).toBe(true);
    expect(targetCovers(t({ paths: ['tests/a.py'], normalized: 'pytest tests/a.py' }), t({ paths: ['tests/b.py'], normalized: 'pytest tests/b.py' }))).toBe(false);
    expect(targetCovers(t({ paths: ['tests/a.py'], normalized: 'pytest tests/a.py' }), t({ paths: [], normalized: 'pytest' }))).toBe(false);
  });

  it('lint does not cover tests, other directories and other ecosystems do not cover', () => {
    expect(targetCovers(t({ kind: 'lint', family: 'make', normalized: 'make lint' }), t({}))).toBe(false);
    expect(targetCovers(t({ dir: 'embedchain' }), t({}))).toBe(false);
    expect(targetCovers(t({ family: 'js', normalized: 'npm test' }), t({}))).toBe(false);
  });

  it('a run limited by a selector covers only the identical run', () => {
    expect(targetCovers(t({ selectors: ['-k=slow'], normalized: 'pytest -k slow' }), t({ normalized: 'pytest' }))).toBe(false);
    expect(targetCovers(t({ selectors: ['--lf'], normalized: 'pytest --lf' }), t({ selectors: ['--lf'], normalized: 'pytest --lf' }))).toBe(true);
  });
});
