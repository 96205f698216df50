import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and its deploy/ folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** The text of a file under deploy/. */
export function readDeploy(rel: string): string {
  return readFileSync(join(DEPLOY_DIR, rel), 'utf8');
}

/** Every file under deploy/, as paths relative to it, sorted. */
export function deployFiles(dir = DEPLOY_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...deployFiles(path));
    else out.push(relative(DEPLOY_DIR, path));
  }
  return out.sort();
}

/** The systemd units shipped in deploy/systemd. */
export function unitFiles(): string[] {
  return readdirSync(join(DEPLOY_DIR, 'systemd')).filter((f) => /\.(service|timer)$/.test(f)).sort();
}

/** The multi-host templates' folder, relative to deploy/. */
export const MULTI_HOST = 'multi-host';

/** The systemd units shipped in deploy/multi-host/systemd (template units end in `@.service` / `@.timer`). */
export function multiHostUnitFiles(): string[] {
  return readdirSync(join(DEPLOY_DIR, MULTI_HOST, 'systemd')).filter((f) => /\.(service|timer)$/.test(f)).sort();
}

/** The supervisord configs shipped in deploy/multi-host/supervisord. */
export function multiHostSupervisordFiles(): string[] {
  return readdirSync(join(DEPLOY_DIR, MULTI_HOST, 'supervisord')).filter((f) => f.endsWith('.conf')).sort().map((f) => `${MULTI_HOST}/supervisord/${f}`);
}

/** An executable on PATH (or in /usr/sbin, /sbin, where Debian puts nginx), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Prints why a group of checks is skipped, once, so CI logs say what did not run. */
export function announceSkip(what: string, reason: string | undefined): boolean {
  if (reason) console.warn(`deploy-check: SKIPPED ${what}: ${reason}`);
  return reason !== undefined;
}

/** Runs a program to completion with a timeout; never throws on a non-zero exit. */
export function run(program: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(program, args, { cwd: options.cwd, env: options.env ?? process.env, input: options.input ?? '', encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for a test). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits until `check` resolves true, polling every 100 ms. Throws after `timeoutMs`, or as soon as `giveUp`
 * returns a reason; `what` is evaluated then, so it can include logs written meanwhile.
 */
export async function waitFor(
  what: string | (() => string),
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
  giveUp: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const describe = () => (typeof what === 'string' ? what : what());
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    const reason = giveUp();
    if (reason) throw new Error(`gave up waiting for ${describe()}: ${reason}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
}

/** One HTTP(S) request; resolves with status, headers and body text. */
export function fetchRaw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn(u, { method: options.method ?? 'GET', headers: options.headers, agent: false, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Replaces `from` with `to` everywhere in `text`, and fails loudly when the template no longer contains `from`. */
export function substitute(text: string, from: string | RegExp, to: string, file: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`${file} no longer contains ${String(from)}; update the deploy check with the template`);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(new RegExp(from.source, from.flags.includes('g') ? from.flags : `${from.flags}g`), to);
}
