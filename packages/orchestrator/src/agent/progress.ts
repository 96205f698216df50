import type { AgentProgress } from './parameters.js';

/** What the progress line counts while the agent runs. */
interface ProgressCounts {
  currentCommand: string | null;
  commands: number;
  tokens: number;
}

/** Feeds the live progress from the stream as it arrives; `stop` ends the ticks. */
export interface LiveProgress {
  onLine(line: string): void;
  stop(): void;
}

const NO_PROGRESS: LiveProgress = { onLine() {}, stop() {} };

/** The command counters of one event line: only command and turn events matter, and only on a TTY. */
function count(line: string, counts: ProgressCounts): void {
  const command = line.includes('command_execution');
  if (!command && !line.includes('turn.completed')) return;
  let event: { type?: string; item?: { command?: string }; usage?: Record<string, number> };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return;
  }
  if (!command) {
    const u = event.usage ?? {};
    counts.tokens = (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
  } else if (event.type === 'item.started') {
    counts.currentCommand = event.item?.command ?? null;
  } else if (event.type === 'item.completed') {
    counts.commands++;
    counts.currentCommand = null;
  }
}

/**
 * Reports the agent's progress every 500 ms while it runs (the CLI shows it on a TTY). Without a listener it does
 * nothing at all; the stream analyser, not this, judges the attempt.
 */
export function startProgress(onProgress: ((progress: AgentProgress) => void) | undefined, monotonic: () => number): LiveProgress {
  if (!onProgress) return NO_PROGRESS;
  const started = monotonic();
  const counts: ProgressCounts = { currentCommand: null, commands: 0, tokens: 0 };
  const timer = setInterval(() => onProgress({ elapsedMs: monotonic() - started, ...counts }), 500);
  return { onLine: (line) => count(line, counts), stop: () => clearInterval(timer) };
}
