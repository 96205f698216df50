/** `bot_state` keys of one Telegram bot, namespaced by its bot id (the numeric prefix of the token). */
export const botStateKeys = {
  /** The next `getUpdates` offset. */
  offset: (botId: string) => `telegram:${botId}:offset`,
  /** Where the state-change notification scan continues: `{at, run_id}` of the last run seen. */
  stateCursor: (botId: string) => `telegram:${botId}:notify_state_cursor`,
  /** The id of the last `pr_requests` row the notifier looked at. */
  prRequestCursor: (botId: string) => `telegram:${botId}:notify_pr_cursor`,
  /** The last state change announced for one run: `{state, changed_at, event_id}`. */
  notified: (botId: string, runId: string) => `telegram:${botId}:notified:${runId}`,
  /** An approval card or its confirmation, by its opaque id: the request and head SHA it is bound to (see approval-cards.ts). */
  card: (botId: string, cardId: string) => `telegram:${botId}:card:${cardId}`,
};
