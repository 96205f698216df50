export { createRun, importRuns, parseBudgetJson, generateRunId, formatIssues, CreateRunInputSchema, RUN_ID_PATTERN, NAME_PATTERN } from './create-run.js';
export type { CreateRunInput } from './create-run.js';
export { applyCommand, commandEvent } from './apply-command.js';
export type { RunCommand, CommandApplied } from './apply-command.js';
export { listRuns, showRun } from './queries.js';
export { showRunView } from './views.js';
