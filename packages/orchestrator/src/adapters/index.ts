export { githubClientFor, requireGitHubClient, githubFailure, assertSafeGitHubApiUrl } from './github-access.js';
export type { GitHubAccessOptions } from './github-access.js';
export { fileStamp, writeNewFile } from './file-stamp.js';
export { createAppPorts, createGitHubPort } from './app-ports.js';
export type { AppPortsOptions } from './app-ports.js';
export { fileArtifactWriter } from './artifact-writer.js';
