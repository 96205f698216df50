import type { StreamAnalysis } from '@agentpr/runtime-analysis';

/** The most of a stream-reported last message agentpr keeps: the same cap as codex's last-message file. */
export const MAX_STREAM_LAST_MESSAGE_CHARS = 256 * 1024;

/**
 * The final message of an engine that reports it in its event stream (Claude's `result` event), as the stream
 * analyser read it: the result text when the analyser kept one, else the last agent message; capped, null when the
 * stream had none. It stays in memory: agentpr never writes it into the agent's runtime dir, where a planted
 * symlink could redirect the write.
 *
 * @example
 * streamLastMessage(analysis) // 'Status: PASS\nAdded titleCase…'
 */
export function streamLastMessage(analysis: Pick<StreamAnalysis, 'summary' | 'last_agent_message'>): string | null {
  const text = resultText(analysis.summary) ?? analysis.last_agent_message;
  if (text === null || text.trim() === '') return null;
  return text.length > MAX_STREAM_LAST_MESSAGE_CHARS ? text.slice(0, MAX_STREAM_LAST_MESSAGE_CHARS) : text;
}

/** The `result` event's text when the analyser records it (`summary.result_text`); analysers that do not, give null. */
function resultText(summary: object): string | null {
  return 'result_text' in summary && typeof summary.result_text === 'string' ? summary.result_text : null;
}
