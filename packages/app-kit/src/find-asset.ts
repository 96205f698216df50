import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a shipped asset directory (`skills`, `campaigns/example`, …): next to the bundle in the installed `agentpr`
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
