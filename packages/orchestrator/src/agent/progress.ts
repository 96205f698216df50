import type { StreamAnalyzer } from '@agentpr/runtime-analysis';
import type { AgentProgress } from './parameters.js';

/** Stops the live progress ticks. */
export interface LiveProgress {
  stop(): void;
}

const NO_PROGRESS: LiveProgress = { stop() {} };

/**
 * Reports the agent's progress every 500 ms while it runs (the CLI shows it on a TTY), read from the stream
 * analyser's live state: the stream is parsed once, by the analyser that also judges the attempt. Without a
 * listener it does nothing at all.
 */
export function startProgress(onProgress: ((progress: AgentProgress) => void) | undefined, analyzer: Pick<StreamAnalyzer, 'progress'>, monotonic: () => number): LiveProgress {
  if (!onProgress) return NO_PROGRESS;
  const started = monotonic();
  const timer = setInterval(() => onProgress({ elapsedMs: monotonic() - started, ...analyzer.progress() }), 500);
  return { stop: () => clearInterval(timer) };
}
