import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { applyEvent, getDelivery, getRun, listDeliveries, listEvents, openSqliteDeliveryWriter, type SqliteDeliveryWriter } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, sendWebhook, webhookExample, webhookRequest, type TestDatabase, type WebhookDeliveryInput } from '@agentpr/testing';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../webhook-server.js';
import { runInCiWait, testApp, type TestApp } from './fixtures.js';

const SECRET = 'webhook-test-secret';
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const OTHER_SHA = '1111111111111111111111111111111111111111';

let tdb: TestDatabase;
let app: TestApp;
let stub: GitHubStub;
let server: WebhookServer;
let auditFile: string;
let writer: SqliteDeliveryWriter | undefined;

async function start(patch: Partial<WebhookServerOptions> = {}): Promise<WebhookServer> {
  return startWebhookServer({
    ctx: app.ctx,
    ...(writer ? { deliveryStore: writer } : {}),
    port: 0,
    secret: SECRET,
    auditLogFile: auditFile,
    github: createOctokitClient({ token: 't', baseUrl: stub.url, throttle: false, retries: 0 }),
    ...patch,
  });
}

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'webhook');
  stub = await startGitHubStub({ token: 't' });
  stub.addRepo('Codertocat', 'Hello-World');
  auditFile = join(app.ctx.paths.reportsDir, 'github_webhook_audit.jsonl');
  // GitHub names are case-insensitive: the run is spelled in another case than the payload's Codertocat/Hello-World.
  await runInCiWait(app.ctx, { runId: 'run_hello', owner: 'codertocat', repo: 'HELLO-world', prNumber: 2, sha: SHA });
  server = await start();
});
afterEach(async () => {
  await server.close();
  writer?.close();
  writer = undefined;
  await stub.close();
  await app.close();
  await tdb.drop();
});

const hook = () => `${server.url}/github/webhook`;
const send = (input: Omit<WebhookDeliveryInput, 'secret'> & { secret?: string | null }) =>
  sendWebhook(hook(), { ...input, ...(input.secret === null ? { secret: undefined } : { secret: input.secret ?? SECRET }) } as WebhookDeliveryInput);
const state = async (runId = 'run_hello') => (await getRun(app.ctx.db, runId))!.state.current_state;
const auditLines = async () => {
  await server.flushAudit();
  return existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
const failingCheckRun = () => webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');

/** Sends raw bytes and returns the status code of the reply (0 when the connection closed without one). */
function raw(port: number, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = Number(data.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(text);
  });
}

describe.each(['kysely', 'the SQLite delivery writer'] as const)('webhook server with real GitHub payloads, statements through %s', (via) => {
  beforeEach(async () => {
    if (via === 'kysely' || tdb.location.kind !== 'sqlite') return;
    await server.close();
    writer = openSqliteDeliveryWriter(tdb.location.path);
    server = await start();
  });

  it('a failing check_run moves the matching run (case-insensitive) to ITERATING; its replay is a duplicate and not re-applied', async () => {
    const payload = failingCheckRun();
    const first = await send({ event: 'check_run', payload, delivery: 'd-fail-1' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true, event: 'check_run', delivery: 'd-fail-1', processed: 1, ignored: 0, retryable_failures: 0, failures: [] });
    expect(first.body.results[0]).toMatchObject({ run_id: 'run_hello', pr_number: 2, event: 'github.check.completed', state: 'ITERATING' });
    expect(await state()).toBe('ITERATING');
    const eventsAfterFirst = await listEvents(app.ctx.db, 'run_hello', { limit: 100 });
    const replay = await send({ event: 'check_run', payload, delivery: 'd-fail-1' });
    expect(replay).toMatchObject({ status: 200, body: { ok: true, duplicate_delivery: true } });
    expect(await listEvents(app.ctx.db, 'run_hello', { limit: 100 })).toHaveLength(eventsAfterFirst.length);
    expect((await getDelivery(app.ctx.db, 'github', 'd-fail-1'))?.outcome).toBe('processed');
    const conflict = await send({ event: 'check_run', payload: { ...payload, action: 'completed', extra: 1 }, delivery: 'd-fail-1' });
    expect(conflict).toMatchObject({ status: 409, body: { ok: false, error: 'delivery id reused with different payload' } });
    expect((await auditLines()).map((l) => l.outcome)).toEqual(['processed', 'duplicate_delivery', 'delivery_conflict']);
  });

  it('a successful check_suite does not move the run; the roll-up does once every check of the head is green', async () => {
    const build = stub.addCheckRun('Codertocat', 'Hello-World', SHA, { name: 'build', conclusion: 'success' });
    const tests = stub.addCheckRun('Codertocat', 'Hello-World', SHA, { name: 'tests', status: 'in_progress' });
    const suite = webhookExample('check_suite', 'completed', (p) => p.check_suite.pull_requests.length > 0);
    const r1 = await send({ event: 'check_suite', payload: suite });
    expect(r1.status).toBe(200);
    expect(r1.body.results[0]).toMatchObject({ run_id: 'run_hello', applied: false, reason: 'awaiting_rollup', state: 'CI_WAIT' });
    await server.idle();
    expect(await state()).toBe('CI_WAIT');
    stub.updateCheckRun(tests.id, { status: 'completed', conclusion: 'success' });
    expect(build.conclusion).toBe('success');
    const run = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'success');
    await send({ event: 'check_run', payload: run });
    await server.idle();
    expect(await state()).toBe('REVIEW_WAIT');
    const rollups = (await auditLines()).filter((l) => l.method === 'ROLLUP').map((l) => l.outcome);
    expect(rollups).toEqual(['rollup_pending', 'rollup_success']);
    expect(await server.metrics.render()).toContain('agentpr_webhook_rollups_total{result="success"} 1');
  });

  it('a check for another head SHA is stored as not applied (stale_head_sha) and answered 200', async () => {
    const payload = failingCheckRun();
    payload.check_run.head_sha = OTHER_SHA;
    payload.check_run.check_suite.head_sha = OTHER_SHA;
    const r = await send({ event: 'check_run', payload });
    expect(r.body).toMatchObject({ processed: 0, ignored: 1 });
    expect(r.body.results[0]).toMatchObject({ applied: false, reason: 'stale_head_sha' });
    expect(await state()).toBe('CI_WAIT');
    const [event] = await listEvents(app.ctx.db, 'run_hello', { limit: 1 });
    expect(event).toMatchObject({ event_type: 'github.check.completed', applied: 0, reason: 'stale_head_sha', actor: 'webhook' });
    expect((await getDelivery(app.ctx.db, 'github', r.delivery))?.outcome).toBe('ignored');
  });

  it('a review that hits an illegal transition is stored with applied=false, answered 200 and the delivery kept as refused', async () => {
    await applyEvent(app.ctx.db, 'run_hello', { event: { type: 'github.check.completed', conclusion: 'failure', head_sha: SHA } });
    await applyEvent(app.ctx.db, 'run_hello', { event: { type: 'command.local.validation.passed' } });
    const review = webhookExample('pull_request_review', 'submitted');
    review.review.state = 'changes_requested';
    const r = await send({ event: 'pull_request_review', payload: review });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ processed: 0, ignored: 1 });
    expect(r.body.results[0]).toMatchObject({ reason: 'invalid_transition', applied: false });
    expect(await state()).toBe('LOCAL_VALIDATING');
    const [event] = await listEvents(app.ctx.db, 'run_hello', { limit: 1 });
    expect(event).toMatchObject({ event_type: 'github.review.submitted', applied: 0, reason: 'invalid_transition', idempotency_key: `gh:review:${review.review.id}` });
    const refused = await listDeliveries(app.ctx.db, { outcome: 'refused', limit: 5 });
    expect(refused.map((d) => d.delivery_id)).toEqual([r.delivery]);
    expect(JSON.parse(refused[0]!.detail_json!).results[0].reason).toBe('invalid_transition');
  });

  it('a delivery for a PR without a run and an unknown event are answered 200, ignored and kept for inspection', async () => {
    const payload = failingCheckRun();
    payload.check_run.pull_requests[0].number = 99;
    const r = await send({ event: 'check_run', payload });
    expect(r.body).toMatchObject({ processed: 0, ignored: 1, results: [{ repo: 'Codertocat/Hello-World', pr_number: 99, message: 'no run found for pr_number' }] });
    const ping = await send({ event: 'ping', payload: webhookExample('ping') });
    expect(ping).toMatchObject({ status: 200, body: { ok: true, ignored: 1, results: [{ message: 'event ping is not handled' }] } });
    const ignored = await listDeliveries(app.ctx.db, { outcome: 'ignored', limit: 5 });
    expect(ignored.map((d) => [d.event_type, d.delivery_id])).toEqual([
      ['ping', ping.delivery],
      ['check_run', r.delivery],
    ]);
    expect((await auditLines()).map((l) => [l.event, l.outcome, l.ignored])).toEqual([
      ['check_run', 'ignored', 1],
      ['ping', 'ignored', 1],
    ]);
  });

  it('a merged pull_request moves the run to DONE; a closed unmerged one to NEEDS_HUMAN_REVIEW', async () => {
    await runInCiWait(app.ctx, { runId: 'run_other', owner: 'Codertocat', repo: 'Hello-World', prNumber: 3, sha: OTHER_SHA });
    const merged = webhookExample('pull_request', 'closed');
    merged.pull_request.merged = true;
    await send({ event: 'pull_request', payload: merged });
    expect(await state()).toBe('DONE');
    const closed = webhookExample('pull_request', 'closed');
    closed.number = 3;
    closed.pull_request.number = 3;
    await send({ event: 'pull_request', payload: closed });
    expect((await getRun(app.ctx.db, 'run_other'))!.state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: 'github:pr_closed_unmerged:3' });
  });

  it('a delivery whose processing fails answers 500 and leaves no claim, so GitHub\'s retry is processed', async () => {
    await sql`create trigger fail_events before insert on events when new.actor = 'webhook' begin select raise(abort, 'disk on fire'); end`.execute(app.ctx.db);
    const payload = failingCheckRun();
    const failed = await send({ event: 'check_run', payload, delivery: 'd-retry' });
    expect(failed).toMatchObject({ status: 500, body: { ok: false, error: expect.stringContaining('unhandled webhook error: disk on fire') } });
    expect(await getDelivery(app.ctx.db, 'github', 'd-retry')).toBeUndefined();
    expect(await state()).toBe('CI_WAIT');
    await sql`drop trigger fail_events`.execute(app.ctx.db);
    const retried = await send({ event: 'check_run', payload, delivery: 'd-retry' });
    expect(retried).toMatchObject({ status: 200, body: { processed: 1 } });
    expect(await state()).toBe('ITERATING');
    expect((await auditLines()).map((l) => [l.status_code, l.outcome])).toEqual([
      [500, 'unhandled_error'],
      [200, 'processed'],
    ]);
  });
});

describe('webhook server bad input', () => {
  it('a bad or missing signature is 401 and claims nothing', async () => {
    const payload = failingCheckRun();
    expect((await send({ event: 'check_run', payload, secret: 'wrong' })).status).toBe(401);
    expect((await send({ event: 'check_run', payload, secret: null })).body).toEqual({ ok: false, error: 'invalid webhook signature' });
    expect(await listDeliveries(app.ctx.db, { limit: 5 })).toEqual([]);
    expect(await state()).toBe('CI_WAIT');
  });

  it('routes: wrong method 405, wrong path 404, GET on the path and /healthz alive, /metrics only on the metrics listener', async () => {
    await server.close();
    server = await start({ metrics: { port: 0 } });
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(hook(), { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await fetch(`${server.url}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(await (await fetch(hook())).json()).toEqual({ ok: true, status: 'alive' });
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, status: 'alive' });
    await send({ event: 'check_run', payload: failingCheckRun() });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(server.metricsUrl!)).text();
    expect(metrics).toContain('agentpr_webhook_deliveries_total{outcome="processed"} 1');
    expect(metrics).toContain('agentpr_webhook_deliveries_total{outcome="not_found"} 1');
    expect(metrics).toMatch(/agentpr_webhook_request_duration_seconds_count 2\n/);
    expect(metrics).toContain('agentpr_webhook_request_duration_seconds_bucket{le="+Inf"} 2');
  });

  it('wrong content type 415, missing event or delivery header 400, malformed JSON 400 — each audited', async () => {
    const payload = failingCheckRun();
    expect((await send({ event: 'check_run', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await send({ event: 'check_run', payload, headers: { 'x-github-event': null } })).body).toEqual({ ok: false, error: 'missing X-GitHub-Event header' });
    const noDelivery = await send({ event: 'check_run', payload, headers: { 'x-github-delivery': null } });
    expect(noDelivery).toMatchObject({ status: 400, body: { ok: false, error: 'missing X-GitHub-Delivery header' } });
    const badJson = await send({ event: 'check_run', payload: null, rawBody: '{"action": "completed",' });
    expect(badJson).toMatchObject({ status: 400, body: { ok: false, error: 'invalid JSON payload' } });
    expect((await send({ event: 'check_run', payload: null, rawBody: '[1,2]' })).status).toBe(400);
    expect(await listDeliveries(app.ctx.db, { limit: 5 })).toEqual([]);
    expect((await auditLines()).map((l) => [l.status_code, l.outcome])).toEqual([
      [415, 'unsupported_media_type'],
      [400, 'missing_event'],
      [400, 'missing_delivery'],
      [400, 'invalid_json'],
      [400, 'invalid_payload'],
    ]);
  });

  it('a declared oversize body is 413 without reading it; a malformed or negative Content-Length is 400', async () => {
    await server.close();
    server = await start({ maxPayloadBytes: 2048 });
    const head = (length: string) =>
      `POST /github/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\nX-GitHub-Delivery: d-big\r\nContent-Length: ${length}\r\n\r\n`;
    const big = await raw(server.port, `${head('5000000')}{"zen":`);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: 'payload too large: 5000000 bytes (max=2048)' });
    expect((await raw(server.port, `${head('-5')}{}`)).status).toBe(400);
    expect((await raw(server.port, `${head('abc')}{}`)).status).toBe(400);
    const outcomes = (await auditLines()).map((l) => l.outcome);
    expect(outcomes).toEqual(['payload_too_large', 'invalid_content_length', 'invalid_content_length']);
  });

  it('a chunked body past the limit is cut off while reading with 413', async () => {
    await server.close();
    server = await start({ maxPayloadBytes: 4096 });
    const { headers } = webhookRequest({ event: 'ping', payload: {}, secret: SECRET });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${hook()}`, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
    const [line] = await auditLines();
    expect(line).toMatchObject({ status_code: 413, outcome: 'payload_too_large', error: expect.stringContaining('payload too large after read') });
  });

  it('the previous secret is accepted during a rotation', async () => {
    await server.close();
    server = await start({ secret: 'new-secret', previousSecret: SECRET });
    expect((await send({ event: 'check_run', payload: failingCheckRun() })).status).toBe(200);
    expect((await sendWebhook(hook(), { event: 'ping', payload: webhookExample('ping'), secret: 'new-secret' })).status).toBe(200);
    expect((await sendWebhook(hook(), { event: 'ping', payload: webhookExample('ping'), secret: 'older' })).status).toBe(401);
  });

  it('without a secret the server refuses to start unless --allow-unsigned, which warns loudly', async () => {
    await expect(start({ secret: undefined })).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/--secret.*AGENTPR_GITHUB_WEBHOOK_SECRET.*--allow-unsigned is for local development only/) });
    await server.close();
    server = await start({ secret: undefined, allowUnsigned: true });
    expect(app.log.lines.some((l) => l.level === 'warn' && /NOT CHECKED/.test(l.message))).toBe(true);
    expect((await send({ event: 'check_run', payload: failingCheckRun(), secret: null })).status).toBe(200);
  });

  it('the audit log rotates by size and every line stays valid JSON', async () => {
    await server.close();
    server = await start({ auditMaxBytes: 1024, auditKeepFiles: 2 });
    for (let i = 0; i < 20; i++) await send({ event: 'ping', payload: webhookExample('ping') });
    await server.close();
    const files = [auditFile, `${auditFile}.1`, `${auditFile}.2`];
    expect(files.every((f) => existsSync(f))).toBe(true);
    expect(existsSync(`${auditFile}.3`)).toBe(false);
    for (const file of files) {
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(readFileSync(file).length).toBeLessThanOrEqual(1024);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ method: 'POST', outcome: 'ignored', status_code: 200 });
    }
  });

  it('an audit log whose directory cannot be made (/proc) refuses to start with one line instead of hanging', async () => {
    await server.close();
    await expect(start({ auditLogFile: '/proc/agentpr-nope/audit.jsonl' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: "cannot create the directory of the audit log /proc/agentpr-nope/audit.jsonl: ENOENT: no such file or directory, mkdir '/proc/agentpr-nope'; pass --audit-log-file under a writable directory",
    });
    server = await start();
  });

  it('SIGTERM-style close finishes the request in flight and refuses new connections', async () => {
    const body = JSON.stringify(failingCheckRun());
    const { headers } = webhookRequest({ event: 'check_run', payload: null, rawBody: body, secret: SECRET });
    let resolveStatus!: (s: number) => void;
    const status = new Promise<number>((r) => (resolveStatus = r));
    const req = httpRequest(hook(), { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.write(body.slice(0, 100));
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    await new Promise((r) => setTimeout(r, 50));
    req.end(body.slice(100));
    expect(await status).toBe(200);
    await closing;
    expect(await state()).toBe('ITERATING');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
