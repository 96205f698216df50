import type { AssistantTool } from '../tool.js';

/** The whitelisted tools, read and write. Approving a PR is never one of them. */
export const ASSISTANT_TOOLS: readonly AssistantTool[] = [];
