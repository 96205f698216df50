import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '@agentpr/orchestrator';
import { cleanupTempDirs, tempDir, textSink } from '@agentpr/testing';
import { int, str } from '../flag-values.js';
import { runService, type ServiceOutcome, type ServiceSpec } from '../run-service.js';

afterEach(() => cleanupTempDirs());

const SECRET = 'whsec-CANARY-0123456789';

interface FakeArgs {
  n: number | undefined;
  secret: string | undefined;
}

/** A service whose run is `outcome`; it records the app context and arguments it got. */
function fakeService(outcome: ServiceOutcome) {
  const seen: { app?: AppContext; args?: FakeArgs } = {};
  const spec: ServiceSpec<FakeArgs> = {
    bin: 'agentpr-fake',
    name: 'fake',
    command: 'run-fake',
    help: 'agentpr run-fake — a fake service',
    flags: { n: { type: 'string', value: 'N', description: 'a number' }, secret: { type: 'string', value: 'S', description: 'a secret' } },
    gate: 'webhook',
    parse: (values) => ({ n: int(values, 'n', { min: 1 }), secret: str(values, 'secret') }),
    async run(app, args, io) {
      seen.app = app;
      seen.args = args;
      io.announce('fake started');
      return outcome;
    },
  };
  return { spec, seen };
}

async function run(spec: ServiceSpec<FakeArgs>, argv: string[]) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await runService(spec, argv, { stdout, stderr, env: { PATH: process.env.PATH, HOME: tempDir('agentpr-home-') }, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('runService (every service binary)', () => {
  it('--help prints the help and exits 0 without making the data dir', async () => {
    const data = join(tempDir(), 'data');
    const r = await run(fakeService({ status: 'ok' }).spec, ['--data-dir', data, '--help']);
    expect(r).toMatchObject({ code: 0, stdout: 'agentpr run-fake — a fake service\n' });
    expect(existsSync(data)).toBe(false);
  });

  it('a bad value exits 2 with one agentpr: line and the JSON envelope, a secret flag value never printed', async () => {
    const r = await run(fakeService({ status: 'ok' }).spec, ['--secret', SECRET, '--n', SECRET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('agentpr: --n must be an integer, got "***"\n');
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: '--n must be an integer, got "***"', code: 'usage' });
  });

  it('an unknown flag names the command and points at the binary\'s --help', async () => {
    const r = await run(fakeService({ status: 'ok' }).spec, ['--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("agentpr: run-fake: Unknown option '--nope'. Run `agentpr-fake --help` for usage.\n");
  });

  it('runs the startup doctor gate of its profile: without a webhook secret it fails (exit 1), with --secret it passes', async () => {
    const data = tempDir('agentpr-data-');
    const failed = await run(fakeService({ status: 'ok' }).spec, ['--data-dir', data]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, code: 'gate_failed', profile: 'webhook', failures: ['env.AGENTPR_GITHUB_WEBHOOK_SECRET: missing'] });
    const passed = await run(fakeService({ status: 'ok' }).spec, ['--data-dir', data, '--secret', SECRET]);
    expect(passed.code, passed.stderr).toBe(0);
  }, 30_000);

  it('opens the store under the data dir, runs the service, prints its output as JSON and logs its announcements', async () => {
    const data = tempDir('agentpr-data-');
    const { spec, seen } = fakeService({ status: 'ok', output: { ok: true, secret: SECRET }, text: 'not on a pipe' });
    const r = await run(spec, ['--data-dir', data, '--skip-doctor', '--n', '3', '--secret', SECRET]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, secret: '***' });
    expect(seen.args).toEqual({ n: 3, secret: SECRET });
    expect(seen.app).toMatchObject({ actor: 'operator', dialect: 'sqlite', paths: expect.objectContaining({ dataDir: data, workspaceRoot: join(data, 'workspaces') }) });
    expect(existsSync(join(data, 'agentpr.db'))).toBe(true);
    const logs = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs).toContainEqual(expect.objectContaining({ name: 'fake', bin: 'agentpr-fake', msg: 'fake started' }));
  });

  it('maps the outcome through exitCodeFor: failed 1, interrupted 130', async () => {
    const args = ['--data-dir', tempDir('agentpr-data-'), '--skip-doctor'];
    expect((await run(fakeService({ status: 'failed' }).spec, args)).code).toBe(1);
    expect((await run(fakeService({ status: 'interrupted' }).spec, args)).code).toBe(130);
  });
});
