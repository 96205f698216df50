import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getRun, latestPrRequest, listAuditRecords, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import { approvePrInProcess, type AppContext } from '@agentpr/orchestrator';
import { ADMIN, auditLines, notifierReady, READER, startBot, STRANGER, TOKEN, waitFor, WRITER, type RunningBot } from './bot-harness.js';
import { approvalContext, pushAgain, pushedRun, requestPr, type PushedRun } from './pr-fixture.js';

interface BotMessage {
  text: string;
  buttons: Array<{ text: string; callback_data: string }>;
}

let api: TelegramTestApi;
let stub: GitHubStub;
let ctx: AppContext;
let store: OpenDatabase | undefined;
let drop: (() => Promise<void>) | undefined;
let bot: RunningBot | undefined;

beforeEach(async () => {
  api = await startTelegramTestApi();
  stub = await startGitHubStub({ token: 'stub-token' });
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  bot = undefined;
  await api.stop();
  await stub.close();
  await store?.close();
  await drop?.();
  store = undefined;
  drop = undefined;
  cleanupTempDirs();
});

function messagesFor(chatId: number): BotMessage[] {
  return api.server.storage.botMessages
    .filter((m) => String(m.message.chat_id) === String(chatId))
    .map((m) => {
      const markup = m.message.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
      return { text: String(m.message.text), buttons: markup?.inline_keyboard?.flat() ?? [] };
    });
}

function commandLines(chatId: number): Array<Record<string, unknown>> {
  return auditLines(bot!.auditFile).filter((l) => l.chat_id === chatId && l.kind === undefined);
}

/** Taps a button as `chatId` and waits until the bot audited it; returns the reply messages and the audit line. */
async function tap(chatId: number, data: string): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
  const seen = commandLines(chatId).length;
  const before = messagesFor(chatId).length;
  const client = api.server.getClient(TOKEN, { chatId, userId: chatId });
  await client.sendCallback(client.makeCallbackQuery(data));
  const lines = await waitFor(() => (commandLines(chatId).length > seen ? commandLines(chatId) : null), `the audit line of the tap ${data}`);
  return { replies: messagesFor(chatId).slice(before), audit: lines[seen]! };
}

async function ask(chatId: number, text: string): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
  const seen = commandLines(chatId).length;
  const before = messagesFor(chatId).length;
  const client = api.server.getClient(TOKEN, { chatId, userId: chatId });
  await client.sendMessage(client.makeMessage(text));
  const lines = await waitFor(() => (commandLines(chatId).length > seen ? commandLines(chatId) : null), `the audit line of ${text}`);
  return { replies: messagesFor(chatId).slice(before), audit: lines[seen]! };
}

const button = (message: BotMessage, text: string): string => message.buttons.find((b) => b.text === text)!.callback_data;

describe.each(dialectsUnderTest())('the Telegram approval card on %s', (kind) => {
  let pushed: PushedRun;

  beforeEach(async () => {
    ({ ctx, store, drop } = await approvalContext(kind, stub.url));
    pushed = await pushedRun(ctx, 'run_card01');
    stub.addRepo(pushed.owner, pushed.repo, { defaultBranch: 'main' });
    stub.setBranchHead({ owner: pushed.owner, repo: pushed.repo, headOwner: pushed.forkOwner, branch: pushed.branch, sha: pushed.headSha });
  });

  /** Starts the bot with the real in-process approval, asks for the PR, and waits for the card in the admin chat. */
  async function cardInAdminChat(): Promise<BotMessage> {
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { approvePr: approvePrInProcess() } });
    await notifierReady(ctx);
    await requestPr(ctx, pushed.runId);
    return waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('New PR request')), 'the approval card');
  }

  it('a new PR request reaches the admin chats as a card with its content and opaque Approve and Reject buttons', async () => {
    const card = await cardInAdminChat();
    const short = pushed.headSha.slice(0, 7);
    expect(card.text).toContain(`PR request: Acme/Widgets (run ${pushed.runId})`);
    expect(card.text).toContain('Title: feat(widgets): add the widgets integration');
    expect(card.text).toContain(`Base: main ← head: agentpr/add-widgets @ ${short}`);
    expect(card.text).toContain('Files: 1 (+4 −0)');
    expect(card.text).toContain('src/widgets.py  +4 −0');
    expect(card.text).toMatch(/Body:\n {2}## Summary\n {2}Adds the widgets integration\./);
    expect(card.text).toContain('DoD: passed — PASS, 2 test command(s), 1 file(s), +4 lines');
    expect(card.text).toMatch(/Expires in (29|30) min\./);
    expect(card.text).not.toMatch(/[{}]"/);
    expect(card.buttons.map((b) => b.text)).toEqual(['Approve', 'Reject']);
    for (const b of card.buttons) {
      expect(b.callback_data).toMatch(/^card:[ar]:[A-Za-z0-9_-]{12}$/);
      expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
      expect(b.callback_data).not.toContain(pushed.runId);
    }
    expect(messagesFor(WRITER).concat(messagesFor(READER))).toEqual([]);
  });

  it('Approve asks for a confirming tap; only Confirm opens the PR on GitHub, and a second Confirm is refused', async () => {
    const card = await cardInAdminChat();
    const approve = await tap(ADMIN, button(card, 'Approve'));
    expect(approve.replies[0]!.text).toMatch(new RegExp(`^Confirm approve Acme/Widgets#${pushed.headSha.slice(0, 7)}\\?`));
    expect(approve.audit).toMatchObject({ command: 'button:card_approve', outcome: 'ok', detail: 'confirm_requested' });
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
    expect((await getRun(ctx.db, pushed.runId))!.state.current_state).toBe('PUSHED');

    const confirm = button(approve.replies[0]!, 'Confirm approve');
    const opened = await tap(ADMIN, confirm);
    expect(opened.replies[0]!.text).toMatch(/^Opened PR #1 for Acme\/Widgets: https:\/\/github\.com\/Acme\/Widgets\/pull\/1\nRun run_card01 is now CI_WAIT\.$/);
    expect(opened.audit).toMatchObject({ command: 'button:card_confirm', outcome: 'ok', detail: 'approved' });
    expect(stub.getPull(pushed.owner, pushed.repo, 1)).toMatchObject({ head: `forker:${pushed.branch}`, base: 'main', headSha: pushed.headSha, title: 'feat(widgets): add the widgets integration' });
    const found = (await getRun(ctx.db, pushed.runId))!;
    expect(found.state.current_state).toBe('CI_WAIT');
    expect(found.run.pr_number).toBe(1);

    const again = await tap(ADMIN, confirm);
    expect(again.replies[0]!.text).toBe('Already approved: PR #1 is open for Acme/Widgets. A request opens one PR.');
    expect(again.audit).toMatchObject({ outcome: 'error', detail: 'refused: used' });
    const approveAgain = await tap(ADMIN, button(card, 'Approve'));
    expect(approveAgain.audit).toMatchObject({ outcome: 'error', detail: 'refused: used' });
    expect(stub.listPulls(pushed.owner, pushed.repo)).toHaveLength(1);
  });

  it('a card made stale by a new push is refused at Approve and at Confirm, and nothing is opened', async () => {
    const card = await cardInAdminChat();
    const approve = await tap(ADMIN, button(card, 'Approve'));
    await pushAgain(ctx, pushed);
    stub.setBranchHead({ owner: pushed.owner, repo: pushed.repo, headOwner: pushed.forkOwner, branch: pushed.branch, sha: pushed.headSha });
    const confirm = await tap(ADMIN, button(approve.replies[0]!, 'Confirm approve'));
    expect(confirm.replies[0]!.text).toMatch(/^Refused: stale: run_card01 pushed again or moved on .*agentpr request-open-pr --run-id run_card01\.$/);
    expect(confirm.replies[0]!.text.split('\n')).toHaveLength(1);
    expect(confirm.audit).toMatchObject({ outcome: 'error', detail: 'refused: stale' });
    const again = await tap(ADMIN, button(card, 'Approve'));
    expect(again.replies[0]!.text).toMatch(/^Refused: Stale: the run pushed again/);
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
    expect((await latestPrRequest(ctx.db, pushed.runId))!.consumed_at).toBeNull();
  });

  it('an expired request is refused at Approve and at Confirm', async () => {
    const card = await cardInAdminChat();
    const approve = await tap(ADMIN, button(card, 'Approve'));
    await ctx.db.updateTable('pr_requests').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).where('run_id', '=', pushed.runId).execute();
    const confirm = await tap(ADMIN, button(approve.replies[0]!, 'Confirm approve'));
    expect(confirm.replies[0]!.text).toMatch(/^Refused: this request expired at .*; re-issue it with agentpr request-open-pr --run-id run_card01\.$/);
    expect(confirm.audit).toMatchObject({ outcome: 'error', detail: 'refused: expired' });
    const again = await tap(ADMIN, button(card, 'Approve'));
    expect(again.replies[0]!.text).toBe('Refused: Expired: re-issue it with agentpr request-open-pr.');
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
  });

  it('a tap from a chat without admin rights is refused and audited; a stranger gets nothing', async () => {
    const card = await cardInAdminChat();
    for (const chat of [WRITER, READER]) {
      const denied = await tap(chat, button(card, 'Approve'));
      expect(denied.audit).toMatchObject({ command: 'button:card_approve', outcome: 'unauthorized', detail: 'admin_permission_required' });
      expect(denied.replies).toEqual([]);
    }
    const client = api.server.getClient(TOKEN, { chatId: STRANGER, userId: STRANGER });
    await client.sendCallback(client.makeCallbackQuery(button(card, 'Approve')));
    await waitFor(() => commandLines(STRANGER)[0], 'the stranger audit line');
    expect(messagesFor(STRANGER)).toEqual([]);
    expect(messagesFor(ADMIN).filter((m) => m.text.startsWith('Confirm approve'))).toEqual([]);
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
  });

  it('Reject closes the request without a PR (audited); the run stays PUSHED and the card stops working', async () => {
    const card = await cardInAdminChat();
    const rejected = await tap(ADMIN, button(card, 'Reject'));
    expect(rejected.replies[0]!.text).toBe('Rejected: no PR opened for Acme/Widgets; run run_card01 stays PUSHED. Ask again with agentpr request-open-pr --run-id run_card01.');
    expect((await latestPrRequest(ctx.db, pushed.runId))!.consumed_at).not.toBeNull();
    expect((await listAuditRecords(ctx.db, { limit: 10 })).map((r) => [r.kind, r.actor])).toContainEqual(['pr_request_rejected', 'bot']);
    expect((await tap(ADMIN, button(card, 'Approve'))).audit).toMatchObject({ outcome: 'error', detail: 'refused: used' });
    expect((await getRun(ctx.db, pushed.runId))!.state.current_state).toBe('PUSHED');
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
  });

  it('/pending_pr and /inbox read as text; /approve_pr shows the card again without a token, and the audit log holds none', async () => {
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { approvePr: approvePrInProcess(), notifications: false } });
    const request = await requestPr(ctx, pushed.runId);
    const pending = await ask(READER, '/pending_pr');
    expect(pending.replies[0]!.text).toMatch(new RegExp(`run_card01 \\| Acme/Widgets @ ${pushed.headSha.slice(0, 7)} \\| feat\\(widgets\\): add the widgets integration \\| expires in (29|30) min`));
    const inbox = await ask(READER, '/inbox');
    expect(inbox.replies[0]!.text).toMatch(/^1 run needs you:\n\nPR awaiting approval \(1\)\n• run_card01 Acme\/Widgets: "feat\(widgets\): add the widgets integration" @ \w{7}, expires in (29|30) min\n {2}next: \/approve_pr run_card01$/);
    const shown = await ask(ADMIN, `/approve_pr run_card01 ${request.confirm_token}`);
    expect(shown.replies[0]!.text).toContain('PR request: Acme/Widgets (run run_card01)');
    expect(shown.replies[0]!.text).toContain('(No token needed: approve with the buttons.)');
    expect(shown.replies[0]!.buttons.map((b) => b.text)).toEqual(['Approve', 'Reject']);
    expect(shown.audit).toMatchObject({ outcome: 'ok', detail: 'card_shown', request_text: '/approve_pr run_card01 <redacted>' });
    expect(readFileSync(bot.auditFile, 'utf8')).not.toContain(request.confirm_token);
    for (const reply of [...pending.replies, ...inbox.replies, ...shown.replies]) expect(reply.text).not.toMatch(/^\s*[{[]/m);
  });
});
