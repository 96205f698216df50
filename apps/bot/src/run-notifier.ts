import { initNotificationCursors, notifyRuns, type NotifyResult } from './notify-runs.js';
import { errorText, type BotSession } from './bot-session.js';

/** How the notification loop runs. */
export interface NotifierOptions {
  /** `false` turns notifications off; they are also off when no admin chat is configured. */
  enabled: boolean;
  /** Time between notification scans. */
  intervalMs: number;
  /** Called after each notification scan that completed, with what it sent. */
  onScan?: ((result: NotifyResult) => void) | undefined;
  /** Abortable sleep; resolves early when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Starts the push-notification loop to the admin chats (sorted by id): cursors initialised once (a failure turns
 * notifications off for this run), then a scan every `intervalMs` until the bot's signal aborts or the returned
 * stop is called; a failed scan is logged and retried at the next tick. Resolves the stop once the loop has ended.
 */
export function startNotifier(session: BotSession, options: NotifierOptions): () => Promise<void> {
  const { ctx, botId, chat, audit, approvePr, summary } = session;
  const stopNotifier = new AbortController();
  const notifierSignal = AbortSignal.any([session.signal, stopNotifier.signal]);
  const adminChats = [...session.acl.admin].sort((a, b) => a - b);
  const notifier = (async () => {
    if (!options.enabled || adminChats.length === 0) return;
    try {
      await initNotificationCursors(ctx, botId);
    } catch (error) {
      ctx.log.error(`notifications are off: could not initialise their cursors: ${errorText(error)}`, { error: errorText(error) });
      return;
    }
    while (!notifierSignal.aborted) {
      try {
        const result = await notifyRuns(ctx, { botId, chatIds: adminChats, chat, audit, approvePr });
        summary.notifications += result.sent;
        options.onScan?.(result);
      } catch (error) {
        ctx.log.warn(`notification scan failed: ${errorText(error)}`, { error: errorText(error) });
      }
      await options.sleep(options.intervalMs, notifierSignal);
    }
  })();
  return async () => {
    stopNotifier.abort();
    await notifier;
  };
}
