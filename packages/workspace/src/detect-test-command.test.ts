import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectTestCommand } from './detect-test-command.js';

const dirs: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentpr-detect-test-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('detectTestCommand', () => {
  it('runs package.json scripts.test with the package manager its lockfile names', async () => {
    expect(await detectTestCommand(repo({ 'package.json': '{"scripts":{"test":"node --test"}}' }))).toEqual({ argv: ['npm', 'test'], source: 'package.json scripts.test' });
    expect((await detectTestCommand(repo({ 'package.json': '{"scripts":{"test":"vitest run"}}', 'pnpm-lock.yaml': '' })))?.argv).toEqual(['pnpm', 'test']);
  });

  it('ignores npm\'s "no test specified" placeholder and an unparseable package.json', async () => {
    expect(await detectTestCommand(repo({ 'package.json': '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' }))).toBeNull();
    expect(await detectTestCommand(repo({ 'package.json': '{not json' }))).toBeNull();
  });

  it('finds pytest, go test and cargo test from their files', async () => {
    expect((await detectTestCommand(repo({ 'pyproject.toml': '[project]\nname="x"\n\n[tool.pytest.ini_options]\naddopts="-q"\n' })))?.argv).toEqual(['python3', '-m', 'pytest']);
    expect((await detectTestCommand(repo({ 'conftest.py': '' })))?.source).toBe('conftest.py');
    expect((await detectTestCommand(repo({ 'go.mod': 'module example.com/x\n' })))?.argv).toEqual(['go', 'test', './...']);
    expect((await detectTestCommand(repo({ 'Cargo.toml': '[package]\nname="x"\n' })))?.argv).toEqual(['cargo', 'test']);
    expect(await detectTestCommand(repo({ 'README.md': 'hi' }))).toBeNull();
  });

  it('does not follow a symlinked package.json (hostile repository)', async () => {
    const outside = repo({ 'package.json': '{"scripts":{"test":"node --test"}}' });
    const dir = repo({});
    symlinkSync(join(outside, 'package.json'), join(dir, 'package.json'));
    expect(await detectTestCommand(dir)).toBeNull();
  });
});
