import type { StreamAnalyzer } from '@agentpr/runtime-analysis';
import type { AgentProgress } from './parameters.js';

/** Stops the live progress ticks. */
export interface LiveProgress {
  stop(): void;
}

const NO_PROGRESS: LiveProgress = { stop() {} };

/** How often a second the live progress is reported. */
const PROGRESS_UPDATES_PER_SECOND = 2;

/**
 * Reports the agent's progress twice a second while it runs (the CLI shows it on a TTY), read from the stream
 * analyser's live state: the stream is parsed once, by the analyser that also judges the attempt. Without a
 * listener it does nothing at all.
 */
export function startProgress(onProgress: ((progress: AgentProgress) => void) | undefined, analyzer: Pick<StreamAnalyzer, 'progress'>, monotonic: () => number): LiveProgress {
  if (!onProgress) return NO_PROGRESS;
  const started = monotonic();
  const timer = setInterval(() => onProgress({ elapsedMs: monotonic() - started, ...analyzer.progress() }), 1000 / PROGRESS_UPDATES_PER_SECOND);
  return { stop: () => clearInterval(timer) };
}
