import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import OpenAI from 'openai';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

const packageRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');
const cli = join(packageRoot, 'dist', 'cli.js');

// Builds dist once: this file is also the package's smoke test of its built output.
beforeAll(async () => {
  // JavaScript only (the d.ts build is slow and not what this test checks); `npx tsup` does the full build.
  const entry = [join(packageRoot, 'src/index.ts'), join(packageRoot, 'src/cli.ts')];
  await build({ entry, outDir: join(packageRoot, 'dist'), format: ['esm'], target: 'node20', dts: false, clean: false, silent: true });
}, 120_000);

describe('llm-stub CLI and dist', () => {
  it('dist exports startLlmStub that serves a shipped scenario by name', async () => {
    const dist = (await import(join(packageRoot, 'dist', 'index.js'))) as typeof import('../index.js');
    const stub = await dist.startLlmStub({ scenario: dist.llmScenarioPath('budget-tokens') });
    try {
      const completion = await new OpenAI({ baseURL: stub.url, apiKey: 'k', maxRetries: 0 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
      expect(completion.usage).toMatchObject({ prompt_tokens: 50000, completion_tokens: 10, total_tokens: 50010 });
    } finally {
      await stub.close();
    }
  });

  it('node dist/cli.js --scenario NAME --api-key K prints the base URL, serves, and exits 0 on SIGTERM', async () => {
    const args = [cli, '--scenario', 'pause-run', '--api-key', 'sk-cli', '--var', 'RUN_ID=run_cli123'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect((await fetch(`${url}/models`)).status).toBe(401);
    const openai = new OpenAI({ baseURL: url, apiKey: 'sk-cli', maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'pause it' }] });
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: 'pause_run', arguments: '{"run_id":"run_cli123"}' } });
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
    expect(unknown.stderr).toMatch(/no shipped llm-stub scenario named nope/);
    const port = await execa(process.execPath, [cli, '--scenario', 'pause-run', '--port', 'abc'], { reject: false, timeout: 10_000 });
    expect(port.exitCode).toBe(2);
    expect(port.stderr).toMatch(/--port must be an integer/);
  });
});
