import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, sendWebhook, tempDir } from '@agentpr/testing';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'flood-test-secret';
const FLOOD = 2_000;
/** Flood connections in flight at once, spread over FLOOD_ADDRESSES (other 127/8 addresses of this machine). */
const FLOOD_CONCURRENCY = 48;
const FLOOD_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const BODY_BYTES = 1024 * 1024;
const RSS_LIMIT_KB = 150 * 1024;
const children: ResultPromise[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  cleanupTempDirs();
});

/** `VmRSS` / `VmHWM` (peak) of a process, in kB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * One hostile request on its own connection from `localAddress`: the head, then (unless the server answered
 * already) a 1 MiB body in 64 KiB writes that wait for the socket to drain. Resolves with the answer's status
 * (0 when the connection closed without one) once the connection closes; gives up after 15 s.
 */
function hostile(port: number, localAddress: string, head: string, body: 'plain' | 'chunked' | 'none'): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let response = '';
    let answered = false;
    const timer = setTimeout(() => socket.destroy(), 15_000);
    socket.on('data', (d) => {
      answered = true;
      if (response.length < 64) response += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(response.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0));
    });
    socket.once('connect', async () => {
      socket.write(head);
      if (body === 'none') return;
      for (let sent = 0; sent < BODY_BYTES && !answered && !socket.destroyed; sent += CHUNK.length) {
        const ok = body === 'chunked' ? socket.write(`${CHUNK.length.toString(16)}\r\n`) && socket.write(CHUNK) && socket.write('\r\n') : socket.write(CHUNK);
        if (!ok) await Promise.race([once(socket, 'drain'), once(socket, 'close')]).catch(() => {});
      }
      if (body === 'chunked' && !socket.destroyed) socket.write('0\r\n\r\n');
    });
  });
}

/** The i-th flood request: a forged signature over a 1 MiB body, kilobytes of header junk, or an oversize head. */
function floodRequest(i: number): { head: string; body: 'plain' | 'chunked' | 'none' } {
  const headers: Record<string, string> = {
    Host: 'hooks.example.com',
    'Content-Type': 'application/json',
    'X-GitHub-Event': 'check_run',
    'X-GitHub-Delivery': `flood-${i}`,
    'X-Hub-Signature-256': `sha256=${i.toString(16).padStart(64, '0')}`,
    'User-Agent': `flood/${'u'.repeat(1500)}`,
  };
  let body: 'plain' | 'chunked' | 'none' = 'plain';
  switch (i % 5) {
    case 0:
    case 1:
      headers['Content-Length'] = String(BODY_BYTES); // read, HMAC'd, refused 401 (or 503 past the budget)
      break;
    case 2:
      headers['Transfer-Encoding'] = 'chunked'; // charged to the budget as it arrives
      body = 'chunked';
      break;
    case 3:
      headers['Content-Length'] = String(BODY_BYTES);
      headers['X-GitHub-Event'] = `e${'v'.repeat(6000)}`; // long header, refused before the body
      break;
    default:
      headers['Content-Length'] = String(BODY_BYTES);
      headers['X-Padding'] = 'p'.repeat(12_000); // head over 8 KiB: 431
      body = 'none';
  }
  return { head: `POST /github/webhook HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, body };
}

describe('agentpr-webhook under an unauthenticated flood', () => {
  it(`${FLOOD} unauthenticated requests with 1 MiB bodies and long headers: RSS stays under 150 MB, valid deliveries keep being answered, earlier audit entries stay`, async () => {
    const dataDir = tempDir('agentpr-flood-');
    const child = execa('node', [join(appDir, 'dist', 'bin.js'), '--data-dir', dataDir, '--port', '0', '--secret', SECRET], {
      cwd: appDir,
      env: { PATH: process.env.PATH, HOME: dataDir },
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
    });
    children.push(child);
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const info = JSON.parse(line) as { listening: string; pid: number; audit_log_file: string; metrics: string };
    expect(info.metrics).toBe('disabled');
    const port = Number(new URL(info.listening).port);
    const valid = (delivery: string) => sendWebhook(info.listening, { event: 'ping', payload: { zen: 'Design for failure.', hook_id: 7 }, delivery, secret: SECRET });

    expect((await valid('real-before-flood')).status).toBe(200);
    const before = memoryOf(info.pid);

    const started = Date.now();
    let next = 0;
    let flooding = true;
    const statuses = new Map<number, number>();
    let sampledPeak = 0;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(info.pid).rss)), 50);
    const validAnswers: number[] = [];
    const validLoop = (async () => {
      for (let n = 0; flooding; n++) {
        validAnswers.push((await valid(`real-during-${n}`)).status);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await Promise.all(
      Array.from({ length: FLOOD_CONCURRENCY }, async (_, w) => {
        while (next < FLOOD) {
          const i = next++;
          const { head, body } = floodRequest(i);
          const status = await hostile(port, FLOOD_ADDRESSES[w % FLOOD_ADDRESSES.length]!, head, body);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    flooding = false;
    await validLoop;
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const after = memoryOf(info.pid);
    expect((await valid('real-after-flood')).status).toBe(200);
    child.kill('SIGTERM');
    await child;

    console.log(
      `flood: ${FLOOD} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `RSS before ${Math.round(before.rss / 1024)} MB, sampled peak ${Math.round(sampledPeak / 1024)} MB, VmHWM ${Math.round(after.peak / 1024)} MB; ` +
        `${validAnswers.length} valid deliveries during the flood`,
    );
    expect(after.peak).toBeLessThanOrEqual(RSS_LIMIT_KB);
    expect([...statuses.keys()].every((s) => [401, 400, 431, 503].includes(s))).toBe(true);
    expect((statuses.get(401) ?? 0) + (statuses.get(400) ?? 0) + (statuses.get(431) ?? 0)).toBeGreaterThan(FLOOD / 2);
    expect(validAnswers.length).toBeGreaterThan(0);
    expect(validAnswers.every((s) => s === 200)).toBe(true);

    expect(existsSync(info.audit_log_file)).toBe(true);
    expect(existsSync(`${info.audit_log_file}.1`)).toBe(false); // the flood rotated nothing away
    const audit = readFileSync(info.audit_log_file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const deliveries = audit.filter((l) => l.outcome === 'ignored').map((l) => l.delivery);
    expect(deliveries[0]).toBe('real-before-flood');
    expect(deliveries).toHaveLength(validAnswers.length + 2);
    expect(deliveries.at(-1)).toBe('real-after-flood');
    const unauthenticated = audit.filter((l) => l.outcome !== 'ignored' && l.outcome !== 'audit_suppressed');
    expect(unauthenticated.length).toBeLessThanOrEqual(20 + Math.ceil(seconds) + 1);
    const suppressed = audit.filter((l) => l.outcome === 'audit_suppressed').reduce((n, l) => n + l.suppressed, 0);
    expect(suppressed + unauthenticated.length).toBeGreaterThan(FLOOD * 0.9);
    for (const l of audit) expect(JSON.stringify(l).length).toBeLessThan(800);
  }, 120_000);
});
