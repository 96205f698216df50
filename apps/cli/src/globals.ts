import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GlobalOptions, OptionSpec } from './command.js';
import { findAsset } from './assets.js';

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', value: 'PATH', description: 'data directory (env AGENTPR_HOME; default ~/.local/share/agentpr)' },
  db: { type: 'string', value: 'PATH', description: 'SQLite database file (default <data>/agentpr.db)' },
  'database-url': { type: 'string', value: 'URL', description: 'PostgreSQL URL postgres://… (env AGENTPR_DATABASE_URL); wins over --db' },
  'workspace-root': { type: 'string', value: 'PATH', description: 'where run workspaces live (env AGENTPR_BASE_DIR; default <data>/workspaces)' },
  'campaign-dir': { type: 'string', value: 'PATH', description: 'campaign folder with prompt, workflow and PR templates (default: the shipped example)' },
  'integration-root': { type: 'string', value: 'PATH', description: 'alias of --campaign-dir (the reference name)' },
  'policy-file': { type: 'string', value: 'PATH', description: 'manager policy file (default <data>/manager_policy.json)' },
  'skip-doctor': { type: 'boolean', description: 'skip the startup doctor gate' },
  json: { type: 'boolean', description: 'print JSON even on a terminal' },
  debug: { type: 'boolean', description: 'print stack traces of unexpected errors on stderr' },
  help: { type: 'boolean', description: 'show help' },
};

/** The default data directory: `$AGENTPR_HOME`, else `$XDG_DATA_HOME/agentpr`, else `~/.local/share/agentpr`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.AGENTPR_HOME?.trim()) return resolve(env.AGENTPR_HOME.trim());
  if (env.XDG_DATA_HOME?.trim()) return resolve(env.XDG_DATA_HOME.trim(), 'agentpr');
  return join(env.HOME?.trim() || homedir(), '.local', 'share', 'agentpr');
}

/** Resolves the global flags against the environment. */
export function resolveGlobals(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const s = (k: string) => (typeof values[k] === 'string' && (values[k] as string).trim() ? resolve((values[k] as string).trim()) : undefined);
  const dataDir = s('data-dir') ?? defaultDataDir(env);
  const databaseUrl = (typeof values['database-url'] === 'string' ? (values['database-url'] as string) : env.AGENTPR_DATABASE_URL)?.trim() || undefined;
  return {
    dataDir,
    db: s('db') ?? join(dataDir, 'agentpr.db'),
    databaseUrl,
    workspaceRoot: s('workspace-root') ?? (env.AGENTPR_BASE_DIR?.trim() ? resolve(env.AGENTPR_BASE_DIR.trim()) : join(dataDir, 'workspaces')),
    campaignDir: s('campaign-dir') ?? s('integration-root') ?? findAsset(join('campaigns', 'example')),
    policyFile: s('policy-file') ?? join(dataDir, 'manager_policy.json'),
    skipDoctor: values['skip-doctor'] === true,
    json: values.json === true,
    debug: values.debug === true || env.AGENTPR_DEBUG === '1',
  };
}
