import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { buildInbox } from '@agentpr/orchestrator';
import { getRun, listEvents } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, sendWebhook, webhookExample, type TestDatabase } from '@agentpr/testing';
import { startWebhookServer, type WebhookServer } from '../webhook-server.js';
import { runInCiWait, testApp, type TestApp } from './fixtures.js';

const SECRET = 'webhook-failing-checks-secret';
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

describe.each(dialectsUnderTest())('a signed delivery of a failing check records its name, on %s', (kind) => {
  let tdb: TestDatabase;
  let app: TestApp;
  let stub: GitHubStub;
  let server: WebhookServer;

  afterAll(() => cleanupTempDirs());
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location, 'webhook');
    stub = await startGitHubStub({ token: 't' });
    stub.addRepo('Codertocat', 'Hello-World');
    await runInCiWait(app.ctx, { runId: 'run_hello', owner: 'codertocat', repo: 'hello-world', prNumber: 2, sha: SHA });
    server = await startWebhookServer({
      ctx: app.ctx,
      port: 0,
      secret: SECRET,
      auditLogFile: join(app.ctx.paths.reportsDir, 'github_webhook_audit.jsonl'),
      github: createOctokitClient({ token: 't', baseUrl: stub.url, throttle: false, retries: 0 }),
    });
  });
  afterEach(async () => {
    await server.close();
    await stub.close();
    await app.close();
    await tdb.drop();
  });

  it('the check_run failure is stored with failing_checks (controls stripped), and the inbox names it without asking GitHub', async () => {
    const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
    payload.check_run.name = 'integration\u001b[31m (node 20)\r\n';
    const reply = await sendWebhook(`${server.url}/github/webhook`, { event: 'check_run', payload, secret: SECRET });
    expect(reply.status).toBe(200);
    expect((await getRun(app.ctx.db, 'run_hello'))!.state.current_state).toBe('ITERATING');
    const verdict = (await listEvents(app.ctx.db, 'run_hello', { limit: 20 })).find((e) => e.event_type === 'github.check.completed');
    expect(verdict?.payload).toMatchObject({ conclusion: 'failure', pr_number: 2, failing_checks: ['integration [31m (node 20)'] });
    // The context's GitHub port has no token: the names come from the store.
    expect(await app.ctx.github.client()).toBeUndefined();
    const inbox = await buildInbox(app.ctx);
    expect(inbox.groups.find((g) => g.reason === 'ci_red')?.items[0]).toMatchObject({ run_id: 'run_hello', failing_checks: ['integration [31m (node 20)'] });
  });
});
