import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type OpenDatabase } from '@agentpr/store';
import { freshDatabase, tempDir, testGitEnv } from '@agentpr/testing';
import { createGitRunner } from '@agentpr/workspace';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's shipped example campaign and skills. */
export const EXAMPLE_CAMPAIGN = resolve(here, '../../../../../campaigns/example');
export const SHIPPED_SKILLS = resolve(here, '../../../../../skills');

/** A git runner with the test identity and no global git config. */
export const testGit = createGitRunner({ env: testGitEnv() });

/** A store on a fresh SQLite file and an AppContext over it, with the example campaign and a fixed clock. */
export async function workspaceContext(
  overrides: { env?: Record<string, string>; campaignDir?: string } = {},
): Promise<{ ctx: AppContext; store: OpenDatabase; dir: string }> {
  const db = await freshDatabase('sqlite');
  const store = await openStore(db.location);
  const dir = tempDir('agentpr-uc-');
  const env = overrides.env ?? testGitEnv();
  const clock = (): Date => new Date('2026-02-25T00:47:07.861Z');
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock,
    env,
    ...createAppPorts(env, { clock }),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(dir, { campaignDir: overrides.campaignDir ?? EXAMPLE_CAMPAIGN, skillsDir: SHIPPED_SKILLS }),
  };
  return { ctx, store, dir };
}
