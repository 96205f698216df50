// Regenerates the checked-in JSON Schema files from the valibot schemas:
//   node scripts/generate-schemas.mjs
// The TypeScript sources are bundled on the fly with esbuild (already installed with tsup).
import { writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'agentpr-policy-schema-'));
try {
  const bundle = join(out, 'json-schemas.mjs');
  await build({ entryPoints: [join(pkg, 'scripts/json-schemas.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
  const mod = await import(pathToFileURL(bundle).href);
  for (const [file, make] of Object.entries(mod.JSON_SCHEMA_FILES)) {
    writeFileSync(join(pkg, file), mod.schemaFileText(make()));
    console.log(`wrote ${file}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
