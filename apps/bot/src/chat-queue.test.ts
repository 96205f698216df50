import { describe, expect, it } from 'vitest';
import { ChatQueue } from './chat-queue.js';

/** A task that waits until the test lets it finish. */
function gate(): { task: () => Promise<void>; open: () => void; started: Promise<void> } {
  let open!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { task: async () => (markStarted(), await opened), open, started };
}

describe('ChatQueue', () => {
  it('runs one chat in order, one at a time, while another chat runs alongside', async () => {
    const queue = new ChatQueue({ onError: () => {} });
    const order: string[] = [];
    const first = gate();
    queue.enqueue(1, async () => {
      order.push('1a start');
      await first.task();
      order.push('1a end');
    });
    queue.enqueue(1, async () => void order.push('1b'));
    queue.enqueue(2, async () => void order.push('2a'));
    await first.started;
    await new Promise<void>((resolve) => queue.enqueue(2, async () => resolve()));
    expect(order).toEqual(['1a start', '2a']);
    first.open();
    await queue.drain();
    expect(order).toEqual(['1a start', '2a', '1a end', '1b']);
  });

  it('refuses a chat holding maxPending tasks and reports a failing task without stopping the next', async () => {
    const errors: unknown[] = [];
    const queue = new ChatQueue({ maxPending: 2, onError: (e) => errors.push(e) });
    const first = gate();
    const ran: string[] = [];
    expect(queue.enqueue(7, first.task)).toBe(true);
    expect(queue.enqueue(7, () => Promise.reject(new Error('boom')))).toBe(true);
    expect(queue.enqueue(7, async () => void ran.push('third'))).toBe(false);
    first.open();
    await queue.drain();
    expect(errors).toEqual([new Error('boom')]);
    expect(queue.enqueue(7, async () => void ran.push('later'))).toBe(true);
    await queue.drain();
    expect(ran).toEqual(['later']);
  });
});
