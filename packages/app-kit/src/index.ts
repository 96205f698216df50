export { describeError, exitCodeFor, type CommandStatus, type DescribedError } from './exit-codes.js';
