import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const LIBRARIES = ['state-machine', 'store', 'policy', 'runtime-analysis', 'workspace', 'codex-runner', 'github', 'logging', 'telegram', 'egress-proxy', 'citizenship', 'orchestrator', 'reports', 'app-kit', 'assistant'];
afterAll(() => cleanupTempDirs());

async function pack(workspaceDir: string, dest: string): Promise<string> {
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dest], { cwd: join(root, workspaceDir), timeout: 120_000 });
  return join(dest, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
}

const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };

describe('packed packages install and run like a user would use them', () => {
  it('npm install -g of the packed CLI gives agentpr, agentpr-webhook, agentpr-bot, agentpr-manager and agentpr-dashboard', async () => {
    const dest = tempDir('agentpr-pack-');
    const tarball = await pack('apps/cli', dest);
    const prefix = join(dest, 'prefix');
    await exec('npm', ['install', '-g', '--prefix', prefix, tarball], { env: npmEnv, timeout: 600_000 });
    const bin = (name: string) => join(prefix, 'bin', name);
    const home = tempDir('agentpr-home-');
    const env = { ...process.env, AGENTPR_HOME: home, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = await exec(bin('agentpr'), ['--version'], { env });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'apps/cli/package.json'), 'utf8')).version);
    const init = await exec(bin('agentpr'), ['init-db', '--json'], { env });
    expect(JSON.parse(init.stdout)).toMatchObject({ ok: true, db: join(home, 'agentpr.db') });
    const doctor = await exec(bin('agentpr'), ['doctor', '--json', '--skip-network-check', '--no-require-gh-auth'], { env }).catch((e: { stdout: string; code: number }) => e);
    const report = JSON.parse(doctor.stdout);
    expect(report).toHaveProperty('checks');
    expect(Array.isArray(report.checks)).toBe(true);
    for (const name of ['agentpr-webhook', 'agentpr-bot', 'agentpr-manager']) {
      const help = await exec(bin(name), ['--help'], { env });
      expect(help.stdout, name).toMatch(/^agentpr run-/);
    }
    expect((await exec(bin('agentpr-dashboard'), ['--help'], { env })).stdout).toMatch(/^agentpr dashboard/);
    // The installed dashboard serves its pages from the bundle alone (hono, the pages and the assets inside it).
    const dashboard = spawn(bin('agentpr-dashboard'), ['--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(createInterface({ input: dashboard.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<main');
    } finally {
      dashboard.kill('SIGTERM');
    }
    // Shipped assets come with the package, outside any source tree.
    const installed = join(prefix, 'lib', 'node_modules', 'agentpr');
    expect(readdirSync(join(installed, 'assets', 'skills'))).toContain('agentpr-implement-and-validate');
  }, 900_000);

  it('each library imports from its packed dist in plain Node', async () => {
    const dest = tempDir('agentpr-libs-');
    const tarballs = [];
    for (const lib of LIBRARIES) tarballs.push(await pack(`packages/${lib}`, dest));
    const project = join(dest, 'consumer');
    await exec('mkdir', ['-p', project]);
    await exec('npm', ['init', '-y'], { cwd: project });
    await exec('npm', ['install', ...tarballs], { cwd: project, env: npmEnv, timeout: 600_000 });
    for (const lib of LIBRARIES) {
      // A clean environment: plain Node, no test-runner options or export conditions.
      const { stdout, stderr } = await exec(process.execPath, ['--input-type=module', '-e', `const m = await import('@agentpr/${lib}'); console.log('exports=' + Object.keys(m).length)`], {
        cwd: project,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      });
      const count = Number(/exports=(\d+)/.exec(stdout)?.[1] ?? 0);
      expect(count, `${lib}: ${stdout} ${stderr}`).toBeGreaterThan(0);
    }
  }, 900_000);
});
