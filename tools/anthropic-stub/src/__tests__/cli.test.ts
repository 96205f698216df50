import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

const packageRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');
const cli = join(packageRoot, 'dist', 'cli.js');

// Builds dist once: this file is also the package's smoke test of its built output.
beforeAll(async () => {
  // JavaScript only (the d.ts build is slow and not what this test checks); `npx tsup` does the full build.
  await build({ entry: [join(packageRoot, 'src/index.ts'), join(packageRoot, 'src/cli.ts')], outDir: join(packageRoot, 'dist'), format: ['esm'], target: 'node20', dts: false, clean: false, silent: true });
}, 120_000);

describe('anthropic-stub CLI and dist', () => {
  it('dist exports startAnthropicStub that serves a shipped scenario', async () => {
    const dist = (await import(join(packageRoot, 'dist', 'index.js'))) as typeof import('../index.js');
    const stub = await dist.startAnthropicStub({ scenario: dist.anthropicScenarioPath('tests-fail') });
    try {
      expect((await fetch(`${stub.url}/v1/models`)).status).toBe(200);
    } finally {
      await stub.close();
    }
  });

  it('node dist/cli.js --scenario NAME --api-key K prints the base URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--scenario', 'pass', '--api-key', 'sk-cli', '--var', 'X=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const post = (key: string): Promise<Response> => fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, stream: false, messages: [{ role: 'user', content: 'go' }], tools: [{ name: 'Write' }] }),
    });
    expect((await post('sk-other')).status).toBe(401);
    expect(await (await post('sk-cli')).json()).toMatchObject({ type: 'message', stop_reason: 'tool_use' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('node dist/cli.js without --scenario, with a bad file or a bad port says what is wrong and exits 2', async () => {
    const missing = await execa(process.execPath, [cli], { reject: false, timeout: 10_000 });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--scenario is required/);
    const bad = await execa(process.execPath, [cli, '--scenario', '/nonexistent/x.json'], { reject: false, timeout: 10_000 });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/scenario file \/nonexistent\/x\.json cannot be read/);
    const unknown = await execa(process.execPath, [cli, '--scenario', 'nope'], { reject: false, timeout: 10_000 });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no shipped anthropic-stub scenario named nope/);
    const port = await execa(process.execPath, [cli, '--scenario', 'pass', '--port', 'abc'], { reject: false, timeout: 10_000 });
    expect(port.exitCode).toBe(2);
    expect(port.stderr).toMatch(/--port must be an integer/);
  });
});
