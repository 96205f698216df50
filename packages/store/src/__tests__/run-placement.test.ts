import { afterAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Migrator, sql } from 'kysely';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  createRun,
  createRuns,
  describePlacement,
  getRun,
  getRunPlacement,
  holderOrigin,
  leaseHolder,
  listRuns,
  openSqliteReader,
  openStore,
  resolveHostId,
  resolveWorkspaceDir,
  setWorkspaceHost,
  StoreError,
  workspaceRelFor,
  type NewRun,
  type OpenDatabase,
} from '../index.js';
import { migrations } from '../migrations/index.js';

afterAll(() => cleanupTempDirs());

const T0 = new Date('2026-12-08T10:00:00.000Z');
const at = (ms: number) => () => new Date(T0.getTime() + ms);

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase, path: string | undefined) => Promise<void>, migrate = true): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location, { migrate });
  try {
    await fn(store, tdb.location.kind === 'sqlite' ? tdb.location.path : undefined);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

function newRun(runId: string, extra: Partial<NewRun> = {}): NewRun {
  return { runId, owner: 'Octo', repo: 'Widgets.js', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/srv/hostA/ws/Octo/Widgets.js/${runId}`, ...extra };
}

async function caught(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('host identity', () => {
  it('resolveHostId takes AGENTPR_HOST_ID, falls back to the hostname, and refuses a malformed id in one line naming the variable', () => {
    expect(resolveHostId({ AGENTPR_HOST_ID: 'worker-2.eu_west' })).toBe('worker-2.eu_west');
    expect(resolveHostId({})).toBe(hostname());
    expect(resolveHostId({ AGENTPR_HOST_ID: '' })).toBe(hostname());
    for (const bad of ['host:a', 'two words', 'x'.repeat(65), 'tab\there', 'host/a']) {
      let error: unknown;
      try {
        resolveHostId({ AGENTPR_HOST_ID: bad });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('invalid_input');
      expect((error as StoreError).message).toMatch(/^AGENTPR_HOST_ID must be 1-64 characters of letters, digits, \. _ -/);
      expect((error as StoreError).message).not.toContain('\n');
    }
    expect(resolveHostId({ AGENTPR_HOST_ID: 'x'.repeat(64) })).toHaveLength(64);
  });

  it('leaseHolder starts with the host id and the process id, which holderOrigin reads back', () => {
    const holder = leaseHolder('manager', { AGENTPR_HOST_ID: 'host-b' });
    expect(holder).toMatch(new RegExp(`^host-b:${process.pid}:manager:[0-9a-f]{8}$`));
    expect(holderOrigin(holder)).toEqual({ host: 'host-b', pid: process.pid });
    expect(leaseHolder('manager', {}).startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
    expect(holderOrigin('operator')).toBeUndefined();
    expect(() => leaseHolder('manager', { AGENTPR_HOST_ID: 'a:b' })).toThrow(/AGENTPR_HOST_ID/);
  });
});

describe('workspace paths', () => {
  it('workspaceRelFor is owner/repo/run_id, and resolveWorkspaceDir places it under any root', () => {
    expect(workspaceRelFor('Octo', 'Widgets.js', 'run_1')).toBe('Octo/Widgets.js/run_1');
    expect(resolveWorkspaceDir('/srv/hostB/ws/', 'Octo/Widgets.js/run_1')).toBe('/srv/hostB/ws/Octo/Widgets.js/run_1');
    expect(resolveWorkspaceDir('/srv/hostB/ws/../ws2', 'o/r/run_1')).toBe('/srv/hostB/ws2/o/r/run_1');
  });

  it('resolveWorkspaceDir refuses absolute paths, empty, . and .. segments, backslashes and NUL', () => {
    for (const bad of ['', '/etc/passwd', 'o/../../etc', '../o/r/x', 'o//r', 'o/r/', './o/r', 'o/./r', 'o\\..\\r', 'o/r\0/x', 'o/'.repeat(300) + 'x']) {
      expect(() => resolveWorkspaceDir('/srv/ws', bad), JSON.stringify(bad)).toThrow(StoreError);
    }
    expect(() => resolveWorkspaceDir('/srv/ws', 'o/../../etc')).toThrow(/^workspace path "o\/\.\.\/\.\.\/etc" has an empty, \. or \.\. segment; it must be relative/);
  });
});

describe.each(dialectsUnderTest())('run placement on %s', (kind) => {
  it('the placement migration backfills workspace_rel from owner, repo and run_id, keeps workspace_dir, and leaves the host unset', async () => {
    await withStore(
      kind,
      async (store) => {
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations(store.dialect) } });
        expect((await migrator.migrateTo('20261207T000000-dashboard')).error).toBeUndefined();
        for (const [runId, owner, repo] of [['run_a', 'Octo', 'Widgets.js'], ['run_b', 'other-org', 'thing_2']]) {
          await sql`insert into runs (run_id, owner, repo, owner_key, repo_key, prompt_version, mode, budget_json, workspace_dir, pr_number, campaign, created_at, updated_at)
            values (${runId}, ${owner}, ${repo}, ${owner!.toLowerCase()}, ${repo!.toLowerCase()}, 'v1', 'push_only', '{}', ${`/old/root/${owner}/${repo}/${runId}`}, null, null, 'x', 'x')`.execute(store.db);
          await sql`insert into run_states (run_id, current_state, updated_at) values (${runId}, 'IMPLEMENTING', 'x')`.execute(store.db);
        }
        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        expect(await getRunPlacement(store.db, 'run_a')).toEqual({ workspaceRel: 'Octo/Widgets.js/run_a', workspaceDir: '/old/root/Octo/Widgets.js/run_a', host: null, hostAt: null });
        expect(await getRunPlacement(store.db, 'run_b')).toMatchObject({ workspaceRel: 'other-org/thing_2/run_b', host: null });
        expect(await store.db.selectFrom('service_leases').selectAll().execute()).toEqual([]);
      },
      false,
    );
  });

  it('createRun records workspace_rel computed from owner, repo and run id, or the one given', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, newRun('run_1'), at(0));
      await createRuns(store.db, [newRun('run_2', { workspaceRel: 'custom/place/run_2' })], at(0));
      expect((await getRun(store.db, 'run_1'))!.run).toMatchObject({ workspace_rel: 'Octo/Widgets.js/run_1', workspace_dir: '/srv/hostA/ws/Octo/Widgets.js/run_1' });
      expect((await getRunPlacement(store.db, 'run_2')).workspaceRel).toBe('custom/place/run_2');
    });
  });

  it('createRuns with one unsafe workspaceRel refuses the whole batch with invalid_input and writes nothing', async () => {
    await withStore(kind, async (store) => {
      for (const bad of ['/abs/o/r/run_x', 'o/../run_x', 'o//run_x']) {
        const error = await caught(createRuns(store.db, [newRun('run_ok'), newRun('run_x', { workspaceRel: bad })]));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toMatch(/^workspace path .* it must be relative to the workspace root, as owner\/repo\/run_id\.$/);
      }
      expect(await listRuns(store.db, { limit: 10 })).toEqual([]);
      expect(await store.db.selectFrom('events').selectAll().execute()).toEqual([]);
    });
  });

  it('setWorkspaceHost records the host and time without moving the run in the list; getRun and listRuns show it', async () => {
    await withStore(kind, async (store, path) => {
      await createRun(store.db, newRun('run_1'), at(0));
      await createRun(store.db, newRun('run_2'), at(1000));
      expect((await getRun(store.db, 'run_1'))!.state).toMatchObject({ workspace_host: null, workspace_host_at: null });
      await setWorkspaceHost(store.db, 'run_1', 'host-a', at(5000));
      await setWorkspaceHost(store.db, 'run_1', 'host-b', at(9000));
      expect(await getRunPlacement(store.db, 'run_1')).toEqual({
        workspaceRel: 'Octo/Widgets.js/run_1',
        workspaceDir: '/srv/hostA/ws/Octo/Widgets.js/run_1',
        host: 'host-b',
        hostAt: '2026-12-08T10:00:09.000Z',
      });
      const found = (await getRun(store.db, 'run_1'))!;
      expect(found.state).toMatchObject({ workspace_host: 'host-b', workspace_host_at: '2026-12-08T10:00:09.000Z', updated_at: '2026-12-08T10:00:00.000Z' });
      const listed = await listRuns(store.db, { limit: 10 });
      expect(listed.map((r) => r.run_id)).toEqual(['run_2', 'run_1']);
      expect(listed[1]).toMatchObject({ workspace_rel: 'Octo/Widgets.js/run_1', workspace_host: 'host-b', workspace_host_at: '2026-12-08T10:00:09.000Z' });
      expect(listed[0]).toMatchObject({ workspace_rel: 'Octo/Widgets.js/run_2', workspace_host: null, workspace_host_at: null });
      if (path) {
        // The CLI's read-only fast path shows the same fields.
        const reader = openSqliteReader(path)!;
        try {
          expect(reader.listRuns(10)).toEqual(listed);
          expect(reader.getRun('run_1')).toEqual(found);
        } finally {
          reader.close();
        }
      }
    });
  });

  it('setWorkspaceHost refuses a malformed host id and an unknown run; getRunPlacement an unknown run', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, newRun('run_1'), at(0));
      expect((await caught(setWorkspaceHost(store.db, 'run_1', 'bad host'))).code).toBe('invalid_input');
      expect((await caught(setWorkspaceHost(store.db, 'run_nope', 'host-a'))).code).toBe('run_not_found');
      expect((await caught(getRunPlacement(store.db, 'run_nope'))).message).toBe('run run_nope not found. Use list-runs to see existing runs.');
      expect((await getRunPlacement(store.db, 'run_1')).host).toBeNull();
    });
  });

  it('describePlacement: the live lease by host and pid, this host, the local path; expired, odd and hostile values shown, never thrown', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, newRun('run_1'), at(0));
      await setWorkspaceHost(store.db, 'run_1', 'host-b', at(5_000));
      const found = (await getRun(store.db, 'run_1'))!;
      const where = { env: { AGENTPR_HOST_ID: 'host-a' }, workspaceRoot: '/srv/ws', now: '2026-12-08T10:00:10.000Z' };
      const live = { holder: 'host-b:4242:manager', expires_at: '2026-12-08T10:01:00.000Z' };
      expect(describePlacement(found, live, where)).toEqual({
        this_host: 'host-a',
        lease: { host: 'host-b', pid: 4242, holder: 'host-b:4242:manager', expires_at: '2026-12-08T10:01:00.000Z' },
        workspace_host: 'host-b',
        workspace_host_at: '2026-12-08T10:00:05.000Z',
        workspace_rel: 'Octo/Widgets.js/run_1',
        local_workspace_dir: '/srv/ws/Octo/Widgets.js/run_1',
        created_workspace_dir: found.run.workspace_dir,
      });
      expect(describePlacement(found, { ...live, expires_at: '2026-12-08T10:00:09.000Z' }, where).lease).toBeNull();
      expect(describePlacement(found, null, where).lease).toBeNull();
      expect(describePlacement(found, { ...live, holder: 'legacy-holder' }, where).lease).toEqual({ host: null, pid: null, holder: 'legacy-holder', expires_at: live.expires_at });
      expect(describePlacement(found, null, { ...where, env: { AGENTPR_HOST_ID: 'bad host' } }).this_host).toBe('(invalid AGENTPR_HOST_ID)');
      expect(describePlacement(found, null, { ...where, env: {} }).this_host).toBe(hostname() || 'localhost');
      const escaping = { ...found, run: { ...found.run, workspace_rel: '../../etc' } };
      expect(describePlacement(escaping, null, where).local_workspace_dir).toBeNull();
    });
  });
});
