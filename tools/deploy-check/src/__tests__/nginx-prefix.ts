import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@agentpr/testing';
import { readDeploy, run, substitute } from './helpers.js';

/** A prefix dir with a self-signed certificate for localhost/127.0.0.1 and a logs/ folder. */
export function makePrefix(openssl: string): { dir: string; cert: string; key: string } {
  const dir = tempDir('agentpr-nginx-');
  chmodSync(dir, 0o755); // workers may run as nobody when the master is root
  mkdirSync(join(dir, 'logs'));
  const cert = join(dir, 'fullchain.pem');
  const key = join(dir, 'privkey.pem');
  const r = run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
  if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { dir, cert, key };
}

/** A site of deploy/nginx with its Let's Encrypt certificate paths and its log directory pointed into `dir`. */
export function siteWithCerts(site: string, dir: string): string {
  let text = readDeploy(site);
  text = substitute(text, /\/etc\/letsencrypt\/live\/CHANGE_ME[\w.-]*\//, `${dir}/`, site);
  text = substitute(text, '/var/log/nginx/', `${dir}/logs/`, site);
  return text;
}

/**
 * The main nginx.conf that includes the sites inside http {}, as Debian's nginx.conf does for sites-enabled/.
 * `sites` are file names in `dir` (default `site.conf`).
 */
export function wrapper(dir: string, extraMain = '', sites: string[] = ['site.conf']): string {
  return [
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/logs/error.log;`,
    'worker_processes 1;',
    extraMain,
    'events { worker_connections 64; }',
    'http {',
    `  access_log off;`,
    ...sites.map((s) => `  include ${dir}/${s};`),
    '}',
    '',
  ].join('\n');
}
