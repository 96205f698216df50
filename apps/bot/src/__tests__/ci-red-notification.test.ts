import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import type { AppContext } from '@agentpr/orchestrator';
import { ADMIN, auditLines, makeRun, notifierReady, READER, startBot, testContext, TO_PUSHED, waitFor, WRITER, type RunningBot } from './bot-harness.js';

const TO_CI_WAIT: RunEvent[] = [...TO_PUSHED, { type: 'command.pr.linked', pr_number: 7 }];

/** A red verdict as sync-github and the webhook record it: with the failing checks' names. */
function red(failingChecks?: unknown[]): RunEvent {
  return { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: 'a'.repeat(40), actor: 'sync', ...(failingChecks ? { failing_checks: failingChecks } : {}) } as RunEvent;
}

describe.each(dialectsUnderTest())('the bot names the failing checks of a run that went red, on %s', (kind) => {
  let api: TelegramTestApi;
  let ctx: AppContext;
  let store: OpenDatabase;
  let drop: () => Promise<void>;
  let bot: RunningBot | undefined;

  beforeEach(async () => {
    api = await startTelegramTestApi();
    ({ ctx, store, drop } = await testContext(kind));
  });
  afterEach(async () => {
    await bot?.stop().catch(() => {});
    bot = undefined;
    await api.stop();
    await store.close();
    await drop();
    cleanupTempDirs();
  });

  const textsFor = (chatId: number): string[] =>
    api.server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(chatId)).map((m) => String(m.message.text));

  it('a red CI verdict is announced to admin chats with the checks and the inspect-run command; the escalation names them too', async () => {
    await makeRun(ctx, 'run_red001', TO_CI_WAIT);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await applyEvent(ctx.db, 'run_red001', { event: red(['lint', 'test (3.12)']) });
    const notice = await waitFor(() => textsFor(ADMIN).find((t) => t.startsWith('CI failed on')), 'the CI red notice');
    expect(notice).toBe('CI failed on octo-org/widgets#7: lint, test (3.12) — agentpr inspect-run --run-id run_red001');
    expect([...textsFor(WRITER), ...textsFor(READER)].filter((t) => t.startsWith('CI failed'))).toEqual([]);

    await applyEvent(ctx.db, 'run_red001', { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: 'manager:retry budget exhausted' } });
    const escalation = await waitFor(() => textsFor(ADMIN).find((t) => t.includes('CI failed after the retry cap')), 'the escalation');
    expect(escalation).toContain('\nFailing checks: lint, test (3.12)\n');
    const reasons = await waitFor(() => {
      const lines = auditLines(bot!.auditFile).filter((l) => l.kind === 'notification');
      return lines.length === 2 ? lines.map((l) => l.reason) : null;
    }, 'two notification audit lines');
    expect(reasons).toEqual(['ci_red', 'NEEDS_HUMAN_REVIEW']);
  });

  it('many or unrecorded names: at most five listed, hostile ones cleaned; none recorded says so', async () => {
    await makeRun(ctx, 'run_red002', TO_CI_WAIT, 'gadgets');
    await makeRun(ctx, 'run_red003', TO_CI_WAIT, 'gizmos');
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await applyEvent(ctx.db, 'run_red002', { event: red(['e2e\u001b[0m\u202e', ...Array.from({ length: 7 }, (_, i) => `shard ${i}`), 42]) });
    await applyEvent(ctx.db, 'run_red003', { event: red() });
    const many = await waitFor(() => textsFor(ADMIN).find((t) => t.startsWith('CI failed on octo-org/gadgets')), 'the first notice');
    expect(many).toBe('CI failed on octo-org/gadgets#7: e2e [0m, shard 0, shard 1, shard 2, shard 3 (+3 more) — agentpr inspect-run --run-id run_red002');
    const none = await waitFor(() => textsFor(ADMIN).find((t) => t.startsWith('CI failed on octo-org/gizmos')), 'the second notice');
    expect(none).toBe('CI failed on octo-org/gizmos#7 (check names not recorded) — agentpr inspect-run --run-id run_red003');
  });

  it('a run sent to ITERATING by a review, not by CI, is not announced', async () => {
    await makeRun(ctx, 'run_rev001', TO_CI_WAIT);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await applyEvent(ctx.db, 'run_rev001', { event: { type: 'github.review.submitted', state: 'changes_requested', pr_number: 7, actor: 'sync' } });
    // Two completed scans: at least one started after the review and would have announced it.
    await bot.notifyScans(2);
    expect(textsFor(ADMIN)).toEqual([]);
    expect(auditLines(bot.auditFile).filter((l) => l.kind === 'notification')).toEqual([]);
  });
});
