import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const conditions = ['@agentpr/source', ...defaultServerConditions];

/**
 * Shared vitest config for every project: resolves sibling packages to their sources through the
 * `@agentpr/source` export condition and writes a JSON report that `tools/scripts/test-summary.mjs` sums up.
 */
export function createVitestConfig(projectDir: string, test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  const name = basename(projectDir);
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      passWithNoTests: true,
      reporters: ['default', ['json', { outputFile: resolve(root, '.reports/vitest', `${dirname(projectDir).split('/').pop()}-${name}.json`) }]],
      ...test,
    },
  });
}
