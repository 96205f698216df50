import { createInterface } from 'node:readline';

/** Line input from a terminal, for the `ask>` session and the y/N confirmations. */
export interface LinePrompt {
  /** Shows `text` and reads one line; `null` when the input ended (Ctrl-D) or Ctrl-C was pressed at the prompt. */
  question(text: string): Promise<string | null>;
  /** What Ctrl-C does while no question is open (a turn in flight); `undefined`: nothing. */
  onInterrupt(handler: (() => void) | undefined): void;
  close(): void;
}

/**
 * A terminal prompt over `readline`. The terminal is in raw mode while it is open, so Ctrl-C reaches us as a key, not
 * as SIGINT: at a prompt it ends the input (like Ctrl-D); while a turn runs it calls the interrupt handler.
 *
 * @example
 * const prompt = openLinePrompt(process.stdin, process.stdout);
 * const answer = await prompt.question('pause run_45f3cbdcdc56 (mem0ai/mem0)? [y/N] ');
 * prompt.close();
 */
export function openLinePrompt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): LinePrompt {
  const rl = createInterface({ input, output, terminal: true, historySize: 100 });
  let closed = false;
  let waiting: ((answer: string | null) => void) | undefined;
  let interrupt: (() => void) | undefined;
  rl.on('close', () => {
    closed = true;
    waiting?.(null);
    waiting = undefined;
  });
  rl.on('SIGINT', () => {
    if (waiting) {
      output.write('\n');
      rl.close();
    } else {
      interrupt?.();
    }
  });
  return {
    question(text) {
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        waiting = resolve;
        rl.question(text, (answer) => {
          waiting = undefined;
          resolve(answer);
        });
      });
    },
    onInterrupt(handler) {
      interrupt = handler;
    },
    close() {
      if (!closed) rl.close();
    },
  };
}
