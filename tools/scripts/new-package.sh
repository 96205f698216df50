#!/usr/bin/env bash
# Scaffold a workspace project: new-package.sh <dir> <npm-name> <description> [private]
set -euo pipefail
dir=$1; name=$2; desc=$3; private=${4:-}
mkdir -p "$dir/src"
cd "$dir"
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
if [ -n "$private" ]; then priv='"private": true,'; else priv=''; fi
cat > package.json <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  $priv
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "engines": { "node": ">=20.19.0" },
  "exports": {
    ".": {
      "@agentpr/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "README.md"],
  "sideEffects": false,
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc --noEmit -p tsconfig.json"
  },
  "dependencies": {},
  "nx": { "tags": [] }
}
JSON
cat > tsconfig.json <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "noEmit": true },
  "include": ["src/**/*.ts", "test/**/*.ts", "*.ts"]
}
JSON
cat > tsup.config.ts <<TS
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
TS
cat > vitest.config.ts <<TS
import { createVitestConfig } from '${up}vitest.shared.js';

export default createVitestConfig(import.meta.dirname);
TS
[ -f src/index.ts ] || echo "export {};" > src/index.ts
[ -f README.md ] || printf '# %s\n\n%s\n' "$name" "$desc" > README.md
