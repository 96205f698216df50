import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** A database a test may use, and how to drop it. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** SQLite file path or PostgreSQL URL. */
  location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  /** For the CLI: `--db PATH` or `--database-url URL`. */
  cliArgs: string[];
  drop(): Promise<void>;
}

/** The PostgreSQL admin URL for tests, from `AGENTPR_TEST_DATABASE_URL`, or undefined when PostgreSQL tests are off. */
export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.AGENTPR_TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** The dialects the store suites run on: SQLite always, PostgreSQL when `AGENTPR_TEST_DATABASE_URL` is set. */
export function dialectsUnderTest(): Array<'sqlite' | 'postgres'> {
  return testPostgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh, empty database of `kind`: a new SQLite file, or a new PostgreSQL database created on the test server. */
export async function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const path = join(tempDir('agentpr-db-'), 'agentpr.db');
    return { kind, location: { kind, path }, cliArgs: ['--db', path], drop: async () => {} };
  }
  const admin = testPostgresUrl();
  if (!admin) throw new Error('AGENTPR_TEST_DATABASE_URL is not set');
  const name = `agentpr_t_${randomBytes(6).toString('hex')}`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const location = { kind, url: url.toString() } as const;
  return {
    kind,
    location,
    cliArgs: ['--database-url', location.url],
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
