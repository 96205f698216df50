// One linter and formatter for the whole workspace: ESLint with typescript-eslint (type-aware rules: floating
// promises, exhaustive switches, misused promises) and @stylistic (the house format, fixed with `npm run lint:fix`).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Why the orchestrator's use cases may not build adapters (see ARCHITECTURE.md, "ports"). */
const USE_THE_PORTS = 'use cases take collaborators from the AppContext ports; only src/adapters (the composition root), apps and tests build adapters';

export default defineConfig(
  globalIgnores(['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/.reports/**', '**/coverage/**', 'apps/cli/assets/**', 'tmp/**', '**/*.d.ts']),
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // One TypeScript program for the whole workspace (tsconfig.eslint.json: the projects' sources and tests, the same
      // compiler options as every project): half the time and memory of one program per project. A TS file outside
      // it is a lint error, not a silently untyped file.
      parserOptions: { project: ['./tsconfig.eslint.json'], tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', clearImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', globalThis: 'readonly', NodeJS: 'readonly' },
    },
    plugins: { '@stylistic': stylistic },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Correctness the type checker alone does not give.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      // No unused code.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-unused-expressions': 'off',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'no-unreachable': 'error',
      // Pragmatic: `any` is banned by review, not by lint, at the few external-JSON edges that cast.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-control-regex': 'off',
      // The house format.
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: false }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['ConditionalExpression', 'TSUnionType', 'TSIntersectionType', 'TemplateLiteral *'] }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
    },
  },
  {
    // The ports rule: a use case takes its collaborators from the context (ctx.git, ctx.github, ctx.agent,
    // ctx.artifacts). Only the composition root (src/adapters, re-exported by the barrel) builds adapters, and only
    // apps and tests call it, so nothing else in the orchestrator imports from adapters/ or calls an adapter factory.
    files: ['packages/orchestrator/src/**/*.ts'],
    ignores: ['packages/orchestrator/src/adapters/**', 'packages/orchestrator/src/index.ts', '**/__tests__/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.{1,2}/(\\.\\./)*adapters(/|$)', message: USE_THE_PORTS }],
        paths: [
          { name: '@agentpr/workspace', importNames: ['createGitRunner'], message: `${USE_THE_PORTS} (ctx.git)` },
          { name: '@agentpr/github', importNames: ['createOctokitClient'], message: `${USE_THE_PORTS} (ctx.github.client())` },
          { name: '@agentpr/codex-runner', importNames: ['codexEngine'], message: `${USE_THE_PORTS} (ctx.agent)` },
        ],
      }],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/adapters/]', message: USE_THE_PORTS }],
    },
  },
  {
    // Build and test configs sit outside the projects' tsconfig: parsed without type information.
    files: ['**/tsup.config.ts', '**/vitest.config.ts', 'vitest.shared.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: null } },
  },
  {
    // Plain JavaScript (tools, scripts, configs): no type information.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
