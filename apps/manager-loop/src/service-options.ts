import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentprError } from '@agentpr/orchestrator/errors';

/** One flag of the binary: the same shape as the CLI's option specs, so help reads the same. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  value?: string;
  description: string;
  choices?: readonly string[];
}

/** Parsed flag values, keyed by flag name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** The CLI's global flags that a service binary accepts too (`agentpr-manager --data-dir …` = `agentpr run-manager-loop --data-dir …`). */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
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

/** Where the data lives, resolved from the global flags and the environment as the CLI does. */
export interface ServiceGlobals {
  dataDir: string;
  db: string;
  databaseUrl: string | undefined;
  workspaceRoot: string;
  campaignDir: string;
  policyFile: string;
  skillsDir: string;
  skipDoctor: boolean;
  json: boolean;
  debug: boolean;
}

/**
 * Finds a shipped asset directory (`skills`, `campaigns/example`): next to the bundle in the installed `agentpr`
 * package (`<pkg>/assets/<name>`), or in the source tree (walking up to the repository root).
 */
export function findAsset(name: string, from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    for (const candidate of [join(dir, 'assets', name), join(dir, name)]) {
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(from, '..', 'assets', name);
}

/** Resolves the global flags against the environment (the CLI's rules). */
export function resolveGlobals(values: FlagValues, env: Readonly<Record<string, string | undefined>>): ServiceGlobals {
  const s = (k: string) => (typeof values[k] === 'string' && values[k].trim() ? resolve(values[k].trim()) : undefined);
  const home = env.AGENTPR_HOME?.trim();
  const xdg = env.XDG_DATA_HOME?.trim();
  const dataDir = s('data-dir') ?? (home ? resolve(home) : xdg ? resolve(xdg, 'agentpr') : join(env.HOME?.trim() || homedir(), '.local', 'share', 'agentpr'));
  const base = env.AGENTPR_BASE_DIR?.trim();
  return {
    dataDir,
    db: s('db') ?? join(dataDir, 'agentpr.db'),
    databaseUrl: (typeof values['database-url'] === 'string' ? values['database-url'] : env.AGENTPR_DATABASE_URL)?.trim() || undefined,
    workspaceRoot: s('workspace-root') ?? (base ? resolve(base) : join(dataDir, 'workspaces')),
    campaignDir: s('campaign-dir') ?? s('integration-root') ?? findAsset(join('campaigns', 'example')),
    policyFile: s('policy-file') ?? join(dataDir, 'manager_policy.json'),
    skillsDir: findAsset('skills'),
    skipDoctor: values['skip-doctor'] === true,
    json: values.json === true,
    debug: values.debug === true || env.AGENTPR_DEBUG === '1',
  };
}

/** A string flag's value, or undefined. */
export function str(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag. */
export function flag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/** A repeatable string flag. */
export function list(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** An integer flag with bounds; a usage error says what is allowed (the CLI's wording). */
export function int(values: FlagValues, name: string, options: { min?: number; max?: number; default?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return options.default;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw new AgentprError('usage', `--${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(text);
  if (options.min !== undefined && n < options.min) throw new AgentprError('usage', `--${name} must be at least ${options.min}, got ${n}`);
  if (options.max !== undefined && n > options.max) throw new AgentprError('usage', `--${name} must be at most ${options.max}, got ${n}`);
  return n;
}

/** A flag whose value must be one of `allowed` (case-insensitive, trimmed). */
export function choice<T extends string>(values: FlagValues, name: string, allowed: readonly T[]): T | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw new AgentprError('usage', `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return value as T;
}

/** One help line per flag, as the CLI prints them. */
export function flagLines(specs: Record<string, FlagSpec>): string[] {
  return Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return `${left.padEnd(34)} ${spec.description}${spec.multiple ? ' (repeatable)' : ''}`;
  });
}
