#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages (e.g. @nx/nx-darwin-arm64) that npm left out
// because the registry this machine uses does not serve every platform build. Without them `npm ci` refuses
// the lockfile ("Missing: … from lock file") on a fresh clone. The entries carry os/cpu/libc, so npm skips
// them on other platforms without downloading anything. Run after `npm install` changes the lockfile.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const PLATFORM = /^(?:@nx\/nx|@rollup\/rollup|@esbuild\/?|@openai\/codex|@anthropic-ai\/claude-code)-?(android|darwin|freebsd|linux|openbsd|openharmony|netbsd|sunos|win32|aix)-(arm64|x64|arm|ia32|loong64|ppc64|riscv64|s390x|mips64el)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/;

function describe(name) {
  const short = name.replace(/^@[^/]+\//, '');
  const m = /(android|darwin|freebsd|linux|openbsd|openharmony|netbsd|sunos|win32|aix)-(arm64|x64|arm|ia32|loong64|ppc64|riscv64|s390x|mips64el)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/.exec(short);
  if (!m) return undefined;
  const [, os, cpu, abi] = m;
  const entry = { cpu: [cpu], os: [os] };
  if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc'];
  if (abi === 'musl' || abi === 'musleabihf') entry.libc = ['musl'];
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const platform = describe(name);
    if (!platform) continue;
    const base = path === '' ? '' : `${path}/`;
    const nested = `${base}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    packages[hoisted] = { version, ...platform, dev: pkg.dev ?? undefined, license: 'MIT', optional: true };
    if (packages[hoisted].dev === undefined) delete packages[hoisted].dev;
    added++;
  }
}
void PLATFORM;
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile-platforms: added ${added} platform entries`);
