export { tempDir, cleanupTempDirs } from './temp-dir.js';
export { freshDatabase, dialectsUnderTest, testPostgresUrl } from './databases.js';
export type { TestDatabase } from './databases.js';
export { webhookExamples, webhookExample, githubSignature, webhookRequest, sendWebhook } from './webhook-examples.js';
export type { WebhookDeliveryInput } from './webhook-examples.js';
