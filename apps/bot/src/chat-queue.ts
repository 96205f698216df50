/**
 * Runs tasks in the background, one at a time per chat and in the order they came, so a slow manager LLM never holds
 * up the commands of any chat, and a chat's turns keep their order. A chat already holding `maxPending` tasks is
 * refused (`enqueue` returns false); `drain` waits for everything started.
 */
export class ChatQueue {
  readonly #maxPending: number;
  readonly #onError: (error: unknown) => void;
  readonly #chats = new Map<number, { tail: Promise<void>; pending: number }>();

  constructor(options: { maxPending?: number | undefined; onError: (error: unknown) => void }) {
    this.#maxPending = options.maxPending ?? 3;
    this.#onError = options.onError;
  }

  /** Queues `task` behind the chat's earlier ones; false when the chat already has `maxPending` waiting or running. */
  enqueue(chatId: number, task: () => Promise<void>): boolean {
    const chat = this.#chats.get(chatId) ?? { tail: Promise.resolve(), pending: 0 };
    if (chat.pending >= this.#maxPending) return false;
    chat.pending++;
    chat.tail = chat.tail
      .then(task)
      .catch(this.#onError)
      .finally(() => {
        chat.pending--;
        if (chat.pending === 0 && this.#chats.get(chatId) === chat) this.#chats.delete(chatId);
      });
    this.#chats.set(chatId, chat);
    return true;
  }

  /** Resolves when every queued task has settled (tasks queued meanwhile included). */
  async drain(): Promise<void> {
    while (this.#chats.size > 0) await Promise.all([...this.#chats.values()].map((c) => c.tail));
  }
}
