import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { findAsset } from './find-asset.js';
import type { FlagSpec, FlagValues } from './flag-spec.js';

/** Flags every app accepts: every `agentpr` command (before or after its name) and every service binary. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'data-dir': { type: 'string', value: 'PATH', description: 'data directory (env AGENTPR_HOME; default ~/.local/share/agentpr)' },
  db: { type: 'string', value: 'PATH', description: 'SQLite database file (default <data>/agentpr.db)' },
  'database-url': { type: 'string', value: 'URL', description: 'PostgreSQL URL postgres://… (env AGENTPR_DATABASE_URL); wins over --db' },
  'workspace-root': { type: 'string', value: 'PATH', description: 'where run workspaces live (env AGENTPR_BASE_DIR; default <data>/workspaces)' },
  'campaign-dir': { type: 'string', value: 'PATH', description: 'campaign folder with prompt, workflow and PR templates (default: the shipped example)' },
  'integration-root': { type: 'string', value: 'PATH', description: 'alias of --campaign-dir (its older name)' },
  'policy-file': { type: 'string', value: 'PATH', description: 'manager policy file (default <data>/manager_policy.json)' },
  'skip-doctor': { type: 'boolean', description: 'skip the startup doctor gate' },
  offline: { type: 'boolean', description: 'local and offline mode: the startup gate checks the configured API URLs and local remotes, not github.com (= AGENTPR_OFFLINE=1)' },
  json: { type: 'boolean', description: 'print JSON even on a terminal' },
  debug: { type: 'boolean', description: 'print stack traces of unexpected errors on stderr' },
  help: { type: 'boolean', description: 'show help' },
};

/** The global flags resolved against the environment: where the data lives and how to print. */
export interface AppGlobals {
  dataDir: string;
  db: string;
  databaseUrl: string | undefined;
  workspaceRoot: string;
  campaignDir: string;
  policyFile: string;
  /** The shipped stage skills. */
  skillsDir: string;
  skipDoctor: boolean;
  json: boolean;
  debug: boolean;
}

/** The default data directory: `$AGENTPR_HOME`, else `$XDG_DATA_HOME/agentpr`, else `~/.local/share/agentpr`. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.AGENTPR_HOME?.trim()) return resolve(env.AGENTPR_HOME.trim());
  if (env.XDG_DATA_HOME?.trim()) return resolve(env.XDG_DATA_HOME.trim(), 'agentpr');
  return join(env.HOME?.trim() || homedir(), '.local', 'share', 'agentpr');
}

/** Resolves the {@link GLOBAL_FLAGS} against the environment (`AGENTPR_HOME`, `AGENTPR_DATABASE_URL`, `AGENTPR_BASE_DIR`, `AGENTPR_DEBUG`). */
export function resolveGlobals(values: FlagValues, env: Readonly<Record<string, string | undefined>>): AppGlobals {
  const s = (k: string) => {
    const v = values[k];
    return typeof v === 'string' && v.trim() ? resolve(v.trim()) : undefined;
  };
  const dataDir = s('data-dir') ?? defaultDataDir(env);
  const databaseUrl = (typeof values['database-url'] === 'string' ? values['database-url'] : env.AGENTPR_DATABASE_URL)?.trim() || undefined;
  const base = env.AGENTPR_BASE_DIR?.trim();
  return {
    dataDir,
    db: s('db') ?? join(dataDir, 'agentpr.db'),
    databaseUrl,
    workspaceRoot: s('workspace-root') ?? (base ? resolve(base) : join(dataDir, 'workspaces')),
    campaignDir: s('campaign-dir') ?? s('integration-root') ?? findAsset(join('campaigns', 'example')),
    policyFile: s('policy-file') ?? join(dataDir, 'manager_policy.json'),
    skillsDir: findAsset('skills'),
    skipDoctor: values['skip-doctor'] === true,
    json: values.json === true,
    debug: values.debug === true || env.AGENTPR_DEBUG === '1',
  };
}
