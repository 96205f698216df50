export { tempDir, cleanupTempDirs } from './temp-dir.js';
export { freshDatabase, dialectsUnderTest, testPostgresUrl } from './databases.js';
export type { TestDatabase } from './databases.js';
export { webhookExamples, webhookExample, githubSignature, webhookRequest, sendWebhook } from './webhook-examples.js';
export type { WebhookDeliveryInput } from './webhook-examples.js';
export { TEST_GIT_IDENTITY, testGitEnv, git, makeUpstream, makeBareFork, pushCommit, lsRemote } from './git-repos.js';
export type { TestRemote } from './git-repos.js';
export { makeImmutable } from './immutable-path.js';
export type { ImmutablePath } from './immutable-path.js';
