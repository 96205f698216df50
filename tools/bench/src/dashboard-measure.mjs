// The dashboard benchmark's measuring side: the built agentpr-dashboard started read-only in a child process, one
// keep-alive connection from this process, and server time as a request's round trip minus the /healthz round trip
// (the floor: the same connection, node:http and hono's routing, no page), both measured in the same rounds.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { once } from 'node:events';

/** Nearest-rank percentile of `xs` (p in 0..100). */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Starts `node <bin> --db … --data-dir … --port 0` (read-only store, loopback) and resolves once it prints its
 * listening line. `nodeArgs` go to node itself (e.g. `--cpu-prof`).
 */
export async function startDashboardProcess({ bin, dbPath, dataDir, nodeArgs = [], env = {} }) {
  const child = spawn(process.execPath, [...nodeArgs, bin, '--db', dbPath, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: dataDir, AGENTPR_LOG_LEVEL: 'warn', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  let stdout = '';
  const info = await new Promise((resolve, reject) => {
    const onData = (c) => {
      stdout += c;
      const line = stdout.split('\n').find((l) => l.trim().startsWith('{'));
      if (line) {
        child.stdout.off('data', onData);
        resolve(JSON.parse(line));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`agentpr-dashboard exited ${code} before listening: ${stdout}${stderr}`)));
  });
  if (!info.ok || !info.url) throw new Error(`agentpr-dashboard did not start: ${JSON.stringify(info)} ${stderr}`);
  return {
    url: info.url.replace(/\/$/, ''),
    info,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code;
    },
  };
}

/**
 * Nanoseconds process `pid` has spent on a CPU, all its threads (Linux `/proc/<pid>/task/<tid>/schedstat`); undefined
 * where there is no such file. On a shared machine this is what a request cost the server, whatever the load.
 */
export function cpuNs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns;
  } catch {
    return undefined;
  }
}

/** A client with one keep-alive connection; `get(path)` resolves with the status, the body and the round trip in ms. */
export function keepAliveClient(base) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(base);
  return {
    get(path) {
      return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const req = request({ host: url.hostname, port: url.port, path, agent, headers: { accept: 'text/html' } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`timeout: GET ${path}`)));
        req.on('error', reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** The `rel="next"` link of a runs page (the pager's), unescaped; null on the last page. */
export function nextLink(html) {
  const tag = /<a\b[^>]*\brel="next"[^>]*>/.exec(html)?.[0];
  const href = tag ? /\bhref="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"') : null;
}

/**
 * Measures every case `samples` times after `warmup` rounds: each round visits the cases in a shuffled order, and
 * each request is preceded by a /healthz request on the same connection. A response that is not 200, or whose body
 * fails the case's `check`, stops the bench. Returns per case the round trips, server times (round trip minus the
 * median /healthz round trip) and the server's CPU time per request (minus /healthz's), and the floor.
 */
export async function measureCases(client, cases, { samples, warmup, rand, pid }) {
  const floor = [];
  const floorCpu = [];
  const rtt = new Map(cases.map((c) => [c.name, []]));
  const cpu = new Map(cases.map((c) => [c.name, []]));
  for (let round = -warmup; round < samples; round++) {
    const order = [...cases].sort(() => rand() - 0.5);
    for (const c of order) {
      const c0 = cpuNs(pid);
      const h = await client.get('/healthz');
      if (h.status !== 200) throw new Error(`/healthz answered ${h.status}`);
      const c1 = cpuNs(pid);
      const r = await client.get(c.path);
      const c2 = cpuNs(pid);
      if (r.status !== 200) throw new Error(`${c.name}: GET ${c.path} answered ${r.status}: ${r.body.slice(0, 300)}`);
      const problem = c.check?.(r.body);
      if (problem) throw new Error(`${c.name}: GET ${c.path}: ${problem}`);
      if (round >= 0) {
        floor.push(h.ms);
        rtt.get(c.name).push(r.ms);
        if (c0 !== undefined && c2 !== undefined) {
          floorCpu.push((c1 - c0) / 1e6);
          cpu.get(c.name).push((c2 - c1) / 1e6);
        }
      }
    }
  }
  const floorMs = percentile(floor, 50);
  const floorCpuMs = floorCpu.length ? percentile(floorCpu, 50) : undefined;
  return {
    floor: { p50: floorMs, p95: percentile(floor, 95), samples: floor.length, cpu_p50: floorCpuMs },
    cases: cases.map((c) => {
      const times = rtt.get(c.name);
      const server = times.map((t) => Math.max(0, t - floorMs));
      const stats = { rtt_p50: percentile(times, 50), p50: percentile(server, 50), p95: percentile(server, 95), max: Math.max(...server) };
      const busy = cpu.get(c.name).map((t) => Math.max(0, t - floorCpuMs));
      if (busy.length) Object.assign(stats, { cpu_p50: percentile(busy, 50), cpu_p95: percentile(busy, 95) });
      return { ...c, samples: times.length, ...stats };
    }),
  };
}
