export { describeError, exitCodeFor, type CommandStatus } from '@agentpr/app-kit';
