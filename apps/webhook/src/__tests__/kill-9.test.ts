import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEvent, createRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, sendWebhook, tempDir, webhookExample } from '@agentpr/testing';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'kill-9-secret';
const RUNS = 10;
const DELIVERIES = 600;
const children: ResultPromise[] = [];

// dist/bin.js is built once by build-bin.global-setup.ts.
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  cleanupTempDirs();
});

async function startServer(dataDir: string): Promise<{ child: ResultPromise; url: string; deliveryThread: string }> {
  const child = execa('node', [join(appDir, 'dist', 'bin.js'), '--data-dir', dataDir, '--port', '0', '--secret', SECRET], {
    cwd: appDir,
    env: { PATH: process.env.PATH, HOME: dataDir },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  const info = JSON.parse(line) as { listening: string; delivery_thread: string };
  return { child, url: info.listening, deliveryThread: info.delivery_thread };
}

const sha = (i: number) => i.toString(16).padStart(40, 'a');

function delivery(i: number): { id: string; payload: Record<string, any>; run: number; suite: number } {
  const run = (i % RUNS) + 1;
  const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
  payload.repository.name = 'widgets';
  payload.repository.owner.login = 'acme';
  payload.check_run.head_sha = sha(run);
  payload.check_run.check_suite.id = 10_000 + i;
  payload.check_run.pull_requests[0].number = run;
  return { id: `kill9-${i}`, payload, run, suite: 10_000 + i };
}

describe('agentpr-webhook under kill -9', () => {
  it('a server killed mid-load and restarted, with every delivery re-sent, applies each delivery exactly once', async () => {
    const dataDir = tempDir('agentpr-kill9-');
    const dbPath = join(dataDir, 'agentpr.db');
    const setup = await openStore({ kind: 'sqlite', path: dbPath });
    for (let r = 1; r <= RUNS; r++) {
      const runId = `run_k${r}`;
      await createRun(setup.db, { runId, owner: 'Acme', repo: 'Widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/ws/${runId}` });
      for (const event of [
        { type: 'command.start.discovery' },
        { type: 'worker.discovery.completed', contract_path: '/c.md' },
        { type: 'command.start.implementation' },
        { type: 'command.local.validation.passed' },
        { type: 'worker.push.completed', branch: 'b', head_sha: sha(r) },
        { type: 'command.pr.linked', pr_number: r },
      ] as const) {
        await applyEvent(setup.db, runId, { event });
      }
    }
    await setup.close();

    const all = Array.from({ length: DELIVERIES }, (_, i) => delivery(i));
    const first = await startServer(dataDir);
    // The built binary processes deliveries on its worker thread: this test kills that thread with the process.
    expect(first.deliveryThread).toBe('worker');
    let answered = 0;
    let next = 0;
    const firstAnswers = new Map<string, number>();
    const killAfter = Math.floor(DELIVERIES / 3);
    let killed = false;
    const worker = async () => {
      while (next < all.length && !killed) {
        const d = all[next++]!;
        try {
          const r = await sendWebhook(first.url, { event: 'check_run', payload: d.payload, delivery: d.id, secret: SECRET });
          firstAnswers.set(d.id, r.status);
        } catch {
          // the server died under this request: GitHub would retry it
        }
        if (++answered >= killAfter && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await first.child;
    expect(first.child.killed || (await first.child).signal === 'SIGKILL').toBe(true);
    expect(firstAnswers.size).toBeGreaterThan(0);
    expect(firstAnswers.size).toBeLessThan(DELIVERIES);

    const second = await startServer(dataDir);
    const secondAnswers = new Map<string, { status: number; duplicate: boolean; processed: number }>();
    let i = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (i < all.length) {
          const d = all[i++]!;
          const r = await sendWebhook(second.url, { event: 'check_run', payload: d.payload, delivery: d.id, secret: SECRET });
          secondAnswers.set(d.id, { status: r.status, duplicate: r.body.duplicate_delivery === true, processed: r.body.processed ?? 0 });
        }
      }),
    );
    second.child.kill('SIGTERM');
    await second.child;

    for (const d of all) {
      const answer = secondAnswers.get(d.id)!;
      expect(answer.status).toBe(200);
      // A delivery the first server answered 200 was committed: the retry must be a duplicate, not re-applied.
      if (firstAnswers.get(d.id) === 200) expect(answer.duplicate).toBe(true);
    }
    const check = await openStore({ kind: 'sqlite', path: dbPath });
    try {
      const rows = await check.db.selectFrom('webhook_deliveries').select(['delivery_id', 'outcome']).execute();
      expect(rows).toHaveLength(DELIVERIES);
      expect(new Set(rows.map((r) => r.delivery_id)).size).toBe(DELIVERIES);
      expect(rows.every((r) => r.outcome === 'processed')).toBe(true);
      const events = await check.db.selectFrom('events').select(['run_id', 'idempotency_key', 'applied']).where('actor', '=', 'webhook').execute();
      expect(events).toHaveLength(DELIVERIES);
      for (const d of all) {
        const mine = events.filter((e) => e.run_id === `run_k${d.run}` && e.idempotency_key === `gh:check-suite:${d.suite}:${sha(d.run)}:failure`);
        expect(mine).toHaveLength(1);
      }
      const states = await check.db.selectFrom('run_states').select('current_state').execute();
      expect(states.every((s) => s.current_state === 'ITERATING')).toBe(true);
    } finally {
      await check.close();
    }
  }, 120_000);
});
