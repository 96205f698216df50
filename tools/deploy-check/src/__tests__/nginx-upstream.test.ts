import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDeliveries, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, testPostgresUrl, webhookExample, webhookRequest, type TestDatabase } from '@agentpr/testing';
import { announceSkip, fetchRaw, freePort, run, substitute, waitFor, which } from './helpers.js';
import { makePrefix as makeNginxPrefix, siteWithCerts, wrapper } from './nginx-prefix.js';
import { runInCiWait, startWebhookProcess, type WebhookProcess } from './multi-host.js';
import { declaredBins } from './templates.js';

const SITE = 'multi-host/nginx/agentpr-webhook-upstream.conf';
const nginx = which('nginx');
const openssl = which('openssl');
const webhookBin = declaredBins().get('agentpr-webhook');
const skipReason = !nginx
  ? 'nginx is not installed (Debian: apt-get install nginx-light)'
  : !openssl
    ? 'openssl is not installed (Debian: apt-get install openssl)'
    : undefined;
const skip = announceSkip('multi-host nginx checks', skipReason);
const skipRun = skip || announceSkip('multi-host nginx run', webhookBin && existsSync(webhookBin.target) ? undefined : 'agentpr-webhook is not built (nx builds apps/cli before these tests)');

afterAll(() => cleanupTempDirs());

describe.skipIf(skip)('nginx: deploy/multi-host/nginx/agentpr-webhook-upstream.conf', () => {
  it('passes nginx -t inside an http {} block, with no warnings', () => {
    const { dir } = makeNginxPrefix(openssl!);
    writeFileSync(join(dir, 'site.conf'), siteWithCerts(SITE, dir));
    writeFileSync(join(dir, 'nginx.conf'), wrapper(dir));
    const r = run(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('syntax is ok');
    expect(r.stderr.split('\n').filter((l) => /\[(warn|error|emerg|crit|alert)\]/.test(l))).toEqual([]);
  });

  it('nginx -t refuses the site when the upstream is broken (the check can fail)', () => {
    const { dir } = makeNginxPrefix(openssl!);
    writeFileSync(join(dir, 'site.conf'), substitute(siteWithCerts(SITE, dir), 'max_fails=1 fail_timeout=10s;', 'max_fails=one;', SITE));
    writeFileSync(join(dir, 'nginx.conf'), wrapper(dir));
    const r = run(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('max_fails');
  });
});

const SECRET = 'deploy-check-multi-host-secret-3f9a';
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const RUN_ID = 'run_multi_host';

/** A failing check_run for the run's PR head: each one (its own check suite) applies one event to the run. */
function delivery(i: number, id: string): { headers: Record<string, string>; body: string } {
  const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
  payload.check_run.check_suite.id = 7000 + i;
  return webhookRequest({ event: 'check_run', payload, delivery: id, secret: SECRET });
}

/** What nginx answered for one delivery: processed, a duplicate, or anything else with its status. */
function answerOf(r: { status: number; body: string }): string {
  if (r.status !== 200) return `status ${r.status}: ${r.body.slice(0, 200)}`;
  const body = JSON.parse(r.body) as { duplicate_delivery?: boolean; processed?: number };
  return body.duplicate_delivery ? 'duplicate' : body.processed === 1 ? 'processed' : `other: ${r.body.slice(0, 200)}`;
}

describe.skipIf(skipRun)(`a real nginx in front of two real agentpr-webhook processes on one ${testPostgresUrl() ? 'PostgreSQL' : 'SQLite'} database`, () => {
  let database: TestDatabase;
  let store: OpenDatabase;
  let hosts: WebhookProcess[] = [];
  let child: ChildProcess | undefined;
  let https = '';
  let ca = '';
  let stderr = '';

  const send = async (i: number, id: string) => {
    const { headers, body } = delivery(i, id);
    return answerOf(await fetchRaw(`${https}/github/webhook`, { ca, method: 'POST', headers, body }));
  };
  const webhookEvents = async () => (await store.db.selectFrom('events').select('event_id').where('run_id', '=', RUN_ID).where('actor', '=', 'webhook').execute()).length;
  /** Every audit line with outcome `processed`, over both processes' own audit logs. */
  const processedLines = () => hosts.flatMap((h) => h.auditOutcomes().filter((l) => l.outcome === 'processed').map((l) => ({ ...l, host: h.hostId })));

  beforeAll(async () => {
    database = await freshDatabase(testPostgresUrl() ? 'postgres' : 'sqlite');
    store = await openStore(database.location); // migrates before either process starts
    await runInCiWait(store.db, { runId: RUN_ID, owner: 'Codertocat', repo: 'Hello-World', prNumber: 2, sha: SHA });
    const [portA, portB] = [await freePort(), await freePort()];
    hosts = await Promise.all([
      startWebhookProcess({ port: portA, hostId: 'edge-a', secret: SECRET, database: database.location }),
      startWebhookProcess({ port: portB, hostId: 'edge-b', secret: SECRET, database: database.location }),
    ]);
    const prefix = makeNginxPrefix(openssl!);
    ca = readFileSync(prefix.cert, 'utf8');
    const tls = await freePort();
    let site = siteWithCerts(SITE, prefix.dir);
    site = substitute(site, /^\s*listen \[::\]:\d+.*\n/m, '', SITE);
    site = substitute(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${tls} ssl http2;`, SITE);
    site = substitute(site, 'listen 80;', `listen 127.0.0.1:${await freePort()};`, SITE);
    site = substitute(site, 'server 127.0.0.1:8787 ', `server 127.0.0.1:${portA} `, SITE);
    site = substitute(site, 'server 127.0.0.1:8788 ', `server 127.0.0.1:${portB} `, SITE);
    // Every request comes from 127.0.0.1 here: the per-client request rate is raised so that it never answers 429
    // (the limits themselves are nginx.test.ts's, on the same lines of the single-host site).
    site = substitute(site, 'rate=20r/s;', 'rate=1000r/s;', SITE);
    writeFileSync(join(prefix.dir, 'site.conf'), site);
    writeFileSync(join(prefix.dir, 'nginx.conf'), wrapper(prefix.dir, 'daemon off;'));
    child = spawn(nginx!, ['-p', prefix.dir, '-c', join(prefix.dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    https = `https://127.0.0.1:${tls}`;
    await waitFor(() => `nginx on ${https} (stderr: ${stderr})`, async () => (await fetchRaw(`${https}/healthz`, { ca })).status === 200);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await Promise.all(hosts.map((h) => h.stop('SIGTERM')));
    await store?.close();
    await database?.drop();
  });

  it('each delivery sent twice at once through nginx is applied once and answered once as a duplicate, and both processes take deliveries', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `multi-host-${i}`);
    for (const [i, id] of ids.entries()) {
      const pair = await Promise.all([send(i, id), send(i, id)]);
      expect(pair.sort(), `${id}: ${hosts.map((h) => h.output()).join('\n')}`).toEqual(['duplicate', 'processed']);
    }
    expect((await listDeliveries(store.db, { limit: 100 })).map((d) => d.delivery_id).sort()).toEqual([...ids].sort());
    expect(await webhookEvents()).toBe(ids.length);
    // Each process audits what it answered: together, each delivery was processed exactly once, by either of them.
    await waitFor('both audit logs', () => new Set(processedLines().map((l) => l.delivery)).size === ids.length, 10_000);
    const processed = processedLines();
    expect(processed.map((l) => l.delivery).sort()).toEqual([...ids].sort());
    for (const host of hosts) expect(host.auditOutcomes().length, `${host.hostId} answered no delivery`).toBeGreaterThan(0);
  });

  it('with one process killed, nginx passes its deliveries to the other: every one lands once, none is lost', async () => {
    const [alive, dead] = hosts as [WebhookProcess, WebhookProcess];
    await dead.stop('SIGKILL');
    const before = await webhookEvents();
    const ids = Array.from({ length: 8 }, (_, i) => `multi-host-after-kill-${i}`);
    const answers: string[] = [];
    for (const [i, id] of ids.entries()) answers.push(await send(100 + i, id));
    expect(answers).toEqual(ids.map(() => 'processed'));
    expect(await webhookEvents()).toBe(before + ids.length);
    await waitFor('the surviving process audit log', () => ids.every((id) => alive.auditOutcomes().some((l) => l.delivery === id && l.outcome === 'processed')), 10_000);
    // A replay of one of them is still a duplicate: the claim is in the database, not in the dead process.
    expect(await send(100, ids[0]!)).toBe('duplicate');
    expect(await webhookEvents()).toBe(before + ids.length);
  });
});
