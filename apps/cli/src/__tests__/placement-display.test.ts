import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLease, createRun, openStore, setWorkspaceHost } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, textSink, type TestDatabase } from '@agentpr/testing';
import { main } from '../main.js';

// Issue 20: show-run and inspect-run name the host holding the run's lease, the host holding its workspace and the
// workspace's path on this host; the doctor names this host. Two hosts share one database: the run was created on
// host A (its stored path is A's), and is read on host B (another data dir and workspace root).

afterAll(() => cleanupTempDirs());

async function setup(kind: 'sqlite' | 'postgres') {
  const tdb: TestDatabase = await freshDatabase(kind);
  const homeA = tempDir('agentpr-host-a-');
  const homeB = tempDir('agentpr-host-b-');
  const exec = async (home: string, hostId: string, args: string[], tty = false) => {
    const stdout = Object.assign(textSink(), { isTTY: tty });
    const stderr = textSink();
    const code = await main([...tdb.cliArgs, '--data-dir', home, '--skip-doctor', ...args], { stdout, stderr, env: { PATH: process.env.PATH, HOME: home, AGENTPR_HOST_ID: hostId } });
    return { code, text: stdout.text, stderr: stderr.text };
  };
  const cli = async (home: string, hostId: string, args: string[], tty = false) => {
    const { code, text, stderr } = await exec(home, hostId, args, tty);
    expect(code, stderr).toBe(0);
    return text;
  };
  await cli(homeA, 'host-a', ['init-db']);
  const store = await openStore(tdb.location);
  try {
    const created = join(homeA, 'workspaces', 'acme', 'widgets', 'run_p');
    await createRun(store.db, { runId: 'run_p', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: created, campaign: null });
    await setWorkspaceHost(store.db, 'run_p', 'host-a');
    await acquireLease(store.db, 'run_p', 'host-a:4242:manager:abcd1234', 10 * 60_000);
  } finally {
    await store.close();
  }
  return { cli, exec, homeA, homeB, close: () => tdb.drop() };
}

for (const kind of dialectsUnderTest()) {
  describe(`placement in show-run, inspect-run and doctor on ${kind} (issue 20)`, () => {
    it('show-run and inspect-run on host B name the lease holder A, the workspace host A and B\'s own path, in JSON and text', async () => {
      const { cli, homeA, homeB, close } = await setup(kind);
      try {
        const here = join(homeB, 'workspaces', 'acme', 'widgets', 'run_p');
        const created = join(homeA, 'workspaces', 'acme', 'widgets', 'run_p');
        const expected = {
          this_host: 'host-b',
          lease: { host: 'host-a', pid: 4242, holder: 'host-a:4242:manager:abcd1234', expires_at: expect.any(String) },
          workspace_host: 'host-a',
          workspace_rel: 'acme/widgets/run_p',
          local_workspace_dir: here,
          created_workspace_dir: created,
        };
        const shown = JSON.parse(await cli(homeB, 'host-b', ['show-run', '--run-id', 'run_p'])) as { placement: unknown };
        expect(shown.placement).toMatchObject(expected);
        const inspected = JSON.parse(await cli(homeB, 'host-b', ['inspect-run', '--run-id', 'run_p'])) as { placement: unknown };
        expect(inspected.placement).toMatchObject(expected);
        for (const command of ['show-run', 'inspect-run']) {
          const text = await cli(homeB, 'host-b', [command, '--run-id', 'run_p'], true);
          expect(text).toMatch(/hosts: lease held by host-a \(pid 4242\) until \S+; workspace on host-a; this host is host-b/);
          expect(text).toContain(`workspace here: ${here} (created at ${created})`);
        }
        const onA = await cli(homeA, 'host-a', ['show-run', '--run-id', 'run_p'], true);
        expect(onA).toContain('workspace on host-a (this host); this host is host-a');
        expect(onA).toContain(`workspace here: ${created}\n`);
      } finally {
        await close();
      }
    });
  });
}

describe('doctor names this host (issue 20)', () => {
  it('from AGENTPR_HOST_ID, and an invalid one fails the doctor with one line', async () => {
    const { exec, homeB, close } = await setup('sqlite');
    try {
      const flags = ['doctor', '--skip-network-check', '--no-require-gh-auth'];
      const good = await exec(homeB, 'worker-2', flags, true);
      expect(good.text.split('\n')[0]).toBe('host: worker-2 (from AGENTPR_HOST_ID)');
      const json = JSON.parse((await exec(homeB, 'worker-2', flags)).text) as { host: unknown };
      expect(json.host).toEqual({ ok: true, id: 'worker-2', source: 'AGENTPR_HOST_ID' });
      const bad = await exec(homeB, 'no spaces allowed', flags, true);
      expect(bad.code).not.toBe(0);
      expect(bad.text.split('\n')[0]).toMatch(/^FAIL {2}host: AGENTPR_HOST_ID must be 1-64 characters of letters, digits, \. _ - \(got 17 characters "no spaces allowed"\); set it/);
      expect(bad.text).toContain('not ready');
    } finally {
      await close();
    }
  });
});
