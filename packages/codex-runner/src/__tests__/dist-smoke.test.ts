import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

const packageRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');

beforeAll(async () => {
  // JavaScript only (the d.ts build is slow and not what this test checks); `npx tsup` does the full build.
  await build({ entry: [join(packageRoot, 'src/index.ts')], outDir: join(packageRoot, 'dist'), format: ['esm'], target: 'node20', dts: false, clean: false, silent: true });
}, 120_000);

describe('@agentpr/codex-runner dist', () => {
  it('the built dist exports the runner API and builds a command line that reads the prompt from stdin', async () => {
    const dist = (await import(join(packageRoot, 'dist', 'index.js'))) as typeof import('../index.js');
    const caps = dist.capabilitiesFromVersion('codex-cli 0.169.0');
    if (!caps.ok) throw new Error(caps.reason);
    expect(dist.buildCodexCommand(caps.capabilities, { sandbox: 'workspace-write', lastMessagePath: '/l', workdir: '/w' }).at(-1)).toBe('-');
    expect(typeof dist.runAgentProcess).toBe('function');
    expect(dist.runtimePaths('/w').lastMessagePath).toBe('/w/.agentpr_runtime/codex_last_message.txt');
  });
});
