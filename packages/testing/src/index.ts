export { tempDir, cleanupTempDirs } from './temp-dir.js';
export { freshDatabase, dialectsUnderTest, testPostgresUrl } from './databases.js';
export type { TestDatabase } from './databases.js';
