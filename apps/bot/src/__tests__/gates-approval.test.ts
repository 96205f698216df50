import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { latestPrRequest, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import { approvePrInProcess, type AppContext } from '@agentpr/orchestrator';
import { ADMIN, auditLines, notifierReady, startBot, TOKEN, waitFor, type RunningBot } from './bot-harness.js';
import { approvalContext, pushedRun, requestPr, type PushedRun } from './pr-fixture.js';

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
let pushed: PushedRun;

beforeEach(async () => {
  api = await startTelegramTestApi();
  stub = await startGitHubStub({ token: 'stub-token' });
  ({ ctx, store, drop } = await approvalContext('sqlite', stub.url));
  pushed = await pushedRun(ctx, 'run_gated01');
  stub.addRepo(pushed.owner, pushed.repo, { defaultBranch: 'main' });
  stub.setBranchHead({ owner: pushed.owner, repo: pushed.repo, headOwner: pushed.forkOwner, branch: pushed.branch, sha: pushed.headSha });
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  bot = undefined;
  await api.stop();
  await stub.close();
  await store?.close();
  await drop?.();
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

const commandLines = (chatId: number) => auditLines(bot!.auditFile).filter((l) => l.chat_id === chatId && l.kind === undefined);

async function tap(chatId: number, data: string): Promise<{ replies: BotMessage[]; audit: Record<string, unknown> }> {
  const seen = commandLines(chatId).length;
  const before = messagesFor(chatId).length;
  const client = api.server.getClient(TOKEN, { chatId, userId: chatId });
  await client.sendCallback(client.makeCallbackQuery(data));
  const lines = await waitFor(() => (commandLines(chatId).length > seen ? commandLines(chatId) : null), `the audit line of the tap ${data}`);
  return { replies: messagesFor(chatId).slice(before), audit: lines[seen]! };
}

const button = (message: BotMessage, text: string): string => message.buttons.find((b) => b.text === text)!.callback_data;

describe('the Telegram approval and the approval gates', () => {
  it('a confirmed approval outside the schedule window says which window holds it and when it opens; nothing opens and the card stays approvable', async () => {
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { approvePr: approvePrInProcess() } });
    await notifierReady(ctx);
    await requestPr(ctx, pushed.runId);
    const card = await waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('New PR request')), 'the approval card');
    // The window closes after the request was written: only a day three days from now is open.
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date().getUTCDay() + 3) % 7];
    writeFileSync(ctx.paths.policyFile, JSON.stringify({ campaign_defaults: { etiquette: { schedule: { time_zone: 'UTC', windows: [{ days: [day], start: '09:00', end: '17:00' }] } } } }));

    const approve = await tap(ADMIN, button(card, 'Approve'));
    const held = await tap(ADMIN, button(approve.replies[0]!, 'Confirm approve'));
    expect(held.replies[0]!.text).toMatch(/^Not opened yet for Acme\/Widgets: held by the etiquette gate: outside the schedule window \(UTC \w{3} 09:00-17:00\).*\. The request stays valid: tap Approve again after \S+T09:00:00\.000Z\.$/);
    expect(held.replies[0]!.text).not.toContain('--ignore-limits');
    expect(held.audit).toMatchObject({ command: 'button:card_confirm', outcome: 'error', detail: 'held: outside_schedule' });
    expect(stub.listPulls(pushed.owner, pushed.repo)).toEqual([]);
    expect((await latestPrRequest(ctx.db, pushed.runId))!.consumed_at).toBeNull();

    const again = await tap(ADMIN, button(card, 'Approve'));
    expect(again.audit).toMatchObject({ outcome: 'ok', detail: 'confirm_requested' });
  });
});
