#!/usr/bin/env node
// Vendors the part of GitHub's OpenAPI description that tools/github-stub serves, so the stub can check every
// request agentpr's client sends against it. Run from the repository root:
//
//   node tools/scripts/vendor-github-openapi.mjs
//
// It fetches @octokit/openapi with `npm pack` into a temporary directory (the 29 MB package is never a
// dependency), keeps the operations listed in OPERATIONS with every `$ref` they reach (examples dropped), and writes
// tools/github-stub/openapi/api.github.com.subset.json and SOURCE.md. Re-run it after adding a route to the stub.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@octokit/openapi';
const VERSION = '23.0.2';
const SOURCE_FILE = 'package/generated/api.github.com.json';
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'github-stub', 'openapi');

/** The operations the stub serves: [method, path template]. */
const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}'],
  ['get', '/repos/{owner}/{repo}/branches'],
  ['get', '/repos/{owner}/{repo}/commits'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status'],
  ['get', '/repos/{owner}/{repo}/contents/{path}'],
  ['get', '/repos/{owner}/{repo}/issues/comments'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['post', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['patch', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/comments'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['get', '/search/issues'],
];

/** Downloads the package tarball with npm and returns the parsed description. */
function fetchDescription() {
  const dir = mkdtempSync(join(tmpdir(), 'vendor-github-openapi-'));
  try {
    const out = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    const tarball = join(dir, out.trim().split('\n').at(-1));
    execFileSync('tar', ['-xzf', tarball, '-C', dir, SOURCE_FILE], { timeout: 120_000 });
    return JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A copy of `value` without `example` / `examples` keys (they are documentation, and large). */
function withoutExamples(value) {
  if (Array.isArray(value)) return value.map(withoutExamples);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'example' && k !== 'examples').map(([k, v]) => [k, withoutExamples(v)]));
}

/** Every `#/components/…` reference reachable from `roots`, resolved against `spec`. */
function reachableRefs(spec, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const value = queue.pop();
    if (Array.isArray(value)) {
      queue.push(...value);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') {
        if (!v.startsWith('#/components/')) throw new Error(`unexpected reference ${v}`);
        if (seen.has(v)) continue;
        seen.add(v);
        queue.push(resolve(spec, v));
      } else queue.push(v);
    }
  }
  return seen;
}

function resolve(spec, ref) {
  const target = ref.slice(2).split('/').reduce((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  if (target === undefined) throw new Error(`dangling reference ${ref}`);
  return withoutExamples(target);
}

function subset(spec) {
  const paths = {};
  for (const [method, path] of OPERATIONS) {
    const operation = spec.paths[path]?.[method];
    if (!operation) throw new Error(`${PACKAGE}@${VERSION} does not describe ${method.toUpperCase()} ${path}`);
    paths[path] ??= spec.paths[path].parameters ? { parameters: spec.paths[path].parameters } : {};
    paths[path][method] = withoutExamples(operation);
  }
  const components = {};
  for (const ref of [...reachableRefs(spec, Object.values(paths))].sort()) {
    const [, , section, name] = ref.split('/');
    if (section === 'examples') continue;
    components[section] ??= {};
    components[section][name] = resolve(spec, ref);
  }
  return { openapi: spec.openapi, info: { ...spec.info, 'x-agentpr-subset': `${PACKAGE}@${VERSION}: ${OPERATIONS.length} operations` }, paths, components };
}

function sourceNote(spec) {
  const date = new Date().toISOString().slice(0, 10);
  return `# Source of api.github.com.subset.json

- Package: \`${PACKAGE}\` version \`${VERSION}\` (npm), file \`generated/api.github.com.json\`
  (${spec.info?.title ?? 'GitHub REST API'}, OpenAPI ${spec.openapi}, description version ${spec.info?.version ?? 'unknown'}).
- Licence: MIT (the package); the description is GitHub's published REST API description.
- Vendored on ${date} by \`node tools/scripts/vendor-github-openapi.mjs\`.
- Kept: the ${OPERATIONS.length} operations the stub serves, each with every \`#/components/…\` reference it reaches.
  Dropped: every other operation, and \`example\` / \`examples\` (documentation only).

Operations:
${OPERATIONS.map(([m, p]) => `- \`${m.toUpperCase()} ${p}\``).join('\n')}

The stub (tools/github-stub/src/openapi-check.ts) checks every REST request against this file: the path and method
are a described operation, query parameters are known and well-typed, required ones are present, and a JSON body
satisfies the operation's request body schema. To serve a new route, add it to OPERATIONS in the script and re-run it.
`;
}

const spec = fetchDescription();
const out = subset(spec);
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'api.github.com.subset.json'), `${JSON.stringify(out, null, 1)}\n`);
writeFileSync(join(OUT_DIR, 'SOURCE.md'), sourceNote(spec));
const count = Object.values(out.components).reduce((n, section) => n + Object.keys(section).length, 0);
console.log(`wrote ${OUT_DIR}: ${OPERATIONS.length} operations, ${count} components`);
