import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The agent's scratch layout inside a workspace. */
export interface RuntimePaths {
  repoDir: string;
  /** `<repo>/.agentpr_runtime` */
  runtimeDir: string;
  /** `<runtime_dir>/cache` */
  cacheDir: string;
  /** `<runtime_dir>/data` */
  dataDir: string;
  /** `<runtime_dir>/tmp` */
  tmpDir: string;
  /** `<runtime_dir>/home`, the agent's `HOME` unless agent push is allowed */
  homeDir: string;
  /** `<runtime_dir>/codex_last_message.txt` */
  lastMessagePath: string;
}

/** The name of the runtime directory inside a workspace. */
export const RUNTIME_DIR_NAME = '.agentpr_runtime';

/** The file codex writes its last message to, inside the runtime directory. */
export const LAST_MESSAGE_FILE_NAME = 'codex_last_message.txt';

/** The runtime layout for a workspace. Pure: nothing is created. */
export function runtimePaths(repoDir: string): RuntimePaths {
  const runtimeDir = join(repoDir, RUNTIME_DIR_NAME);
  return {
    repoDir,
    runtimeDir,
    cacheDir: join(runtimeDir, 'cache'),
    dataDir: join(runtimeDir, 'data'),
    tmpDir: join(runtimeDir, 'tmp'),
    homeDir: join(runtimeDir, 'home'),
    lastMessagePath: join(runtimeDir, LAST_MESSAGE_FILE_NAME),
  };
}

/**
 * Creates the runtime directories: the runtime, cache, data, tmp and home dirs, plus `directories` (from
 * `resolveRuntimeEnv` of `@agentpr/policy`: the built-in path keys and the parent of `COVERAGE_FILE`; override-only
 * keys are never created). Returns every directory it ensured.
 */
export function createRuntimeDirectories(paths: RuntimePaths, directories: readonly string[] = []): string[] {
  const dirs = new Set<string>([paths.runtimeDir, paths.cacheDir, paths.dataDir, paths.tmpDir, paths.homeDir, ...directories]);
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  return [...dirs];
}
