/**
 * The one line splitter lives in `@agentpr/runtime-analysis` (the lowest package every reader of agent output
 * can depend on). Re-exported here so `@agentpr/codex-runner`'s public API keeps its `LineSplitter`.
 */
export { LineSplitter } from '@agentpr/runtime-analysis';
export type { LineSplitterOptions } from '@agentpr/runtime-analysis';
