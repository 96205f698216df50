export { splitCommandLine } from './split-command-line.js';
export { parseUnitFile } from './parse-unit-file.js';
export type { UnitFile, UnitEntry } from './parse-unit-file.js';
export { SERVICE_BINARIES, isAgentprProgram, cliArguments, commandInvocations, unitInvocations } from './agentpr-invocations.js';
export type { Invocation } from './agentpr-invocations.js';
