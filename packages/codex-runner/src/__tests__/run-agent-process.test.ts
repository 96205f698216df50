import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { listProcesses } from '../process-tree.js';
import { runAgentProcess, type AgentProcessSpec } from '../run-agent-process.js';

afterAll(() => cleanupTempDirs());

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

function node(script: string, extra: Partial<AgentProcessSpec> = {}): AgentProcessSpec {
  return { command: process.execPath, args: ['-e', script], cwd: tempDir('agentpr-proc-'), env, input: '', ...extra };
}

function alive(pid: number): boolean {
  const proc = (listProcesses() ?? []).find((p) => p.pid === pid);
  return proc !== undefined && proc.state !== 'Z';
}

/** True if the process is gone (or a zombie) within 1 s: SIGKILL is delivered asynchronously. */
async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 20; i += 1) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe.concurrent('runAgentProcess', () => {
  it('runAgentProcess passes stdout lines as they arrive, with growing offsets, split on \\n only', async () => {
    // A handshake, not timers: after each line the child waits for SIGUSR2, which the parent sends from onStdoutLine
    // once it has seen that line. Lines held back until exit would never release the child (the step times out),
    // and each next line is written at least PAUSE_MS after the parent stamped the previous one, however loaded.
    const PAUSE_MS = 50;
    const script = `
      const out = (s) => process.stdout.write(s);
      const alive = setInterval(() => {}, 1000);
      const steps = [
        () => out('{"b":"x\\u2028y"}\\n{"c":'),
        () => { out('3}\\nlast-without-newline'); clearInterval(alive); },
      ];
      process.on('SIGUSR2', () => setTimeout(steps.shift(), ${PAUSE_MS}));
      out('{"a":1}\\n');`;
    const seen: Array<[string, number]> = [];
    let pid: number | undefined;
    const onStdoutLine = (line: string, ms: number): void => {
      seen.push([line, ms]);
      if (seen.length <= 2) process.kill(pid!, 'SIGUSR2');
    };
    const result = await runAgentProcess(node(script, { maxDurationSec: 20 }), { onSpawn: (p) => (pid = p), onStdoutLine });
    expect(result).toMatchObject({ agentExit: 0, timedOut: false });
    expect(seen.map(([line]) => line)).toEqual(['{"a":1}', '{"b":"x\u2028y"}', '{"c":3}', 'last-without-newline']);
    const [a, b, c] = seen.map(([, ms]) => ms);
    // Each line carries the arrival time of the chunk that completed it (c's second half came after b's handshake).
    expect(b! - a!).toBeGreaterThanOrEqual(PAUSE_MS - 2); // timers may fire a millisecond early
    expect(c! - b!).toBeGreaterThanOrEqual(PAUSE_MS - 2);
    expect(result.stdoutLineOffsetsMs).toEqual(seen.map(([, ms]) => ms));
    expect(result.lineCount).toBe(4);
  });

  it('runAgentProcess writes the prompt to stdin and closes it', async () => {
    const script = `let s=''; process.stdin.on('data', d => s += d); process.stdin.on('end', () => process.stdout.write(JSON.stringify(s) + '\\n'));`;
    const prompt = `contract\n---\n\n${'x'.repeat(200_000)}`;
    const lines: string[] = [];
    const result = await runAgentProcess(node(script, { input: prompt, maxDurationSec: 10 }), { onStdoutLine: (line) => lines.push(line) });
    expect(result.timedOut).toBe(false);
    expect(JSON.parse(lines[0]!)).toBe(prompt);
  });

  it('runAgentProcess gives the process exactly the env it was given, plus its tree marker', async () => {
    const lines: string[] = [];
    await runAgentProcess(node(`console.log(JSON.stringify(Object.keys(process.env).sort()))`, { env: { PATH: env.PATH, ONLY_THIS: '1' } }), {
      onStdoutLine: (line) => lines.push(line),
    });
    expect(JSON.parse(lines[0]!)).toEqual(['AGENTPR_AGENT_TREE', 'ONLY_THIS', 'PATH']);
  });

  it('runAgentProcess streams raw stdout to the artifact file and keeps stderr', async () => {
    const file = join(tempDir('agentpr-stream-'), 'nested', 'events.jsonl');
    const result = await runAgentProcess(node(`process.stdout.write('one\\ntwo\\n'); process.stderr.write('warn\\n'); process.exit(3)`, { stdoutFile: file }));
    expect(result.agentExit).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    expect(result.stdoutFile).toBe(file);
    expect(result.stderr).toBe('warn\n');
    expect(result.stdoutTail).toBe('one\ntwo\n');
  });

  it('runAgentProcess bounds stderr to the last 64 KiB with a truncation marker', async () => {
    const result = await runAgentProcess(node(`process.stderr.write('e'.repeat(200000) + '\\nEND\\n')`));
    expect(result.stderr.startsWith('[... ')).toBe(true);
    expect(result.stderr).toMatch(/bytes truncated/);
    expect(result.stderr.endsWith('END\n')).toBe(true);
    expect(Buffer.byteLength(result.stderr)).toBeLessThan(64 * 1024 + 100);
  });

  it('runAgentProcess on timeout kills a grandchild that holds the pipes and a child that ignores SIGTERM, exit 124 within the grace', async () => {
    const script = `
      process.on('SIGTERM', () => {});
      const c = require('child_process').spawn('sleep', ['30'], { stdio: 'inherit' });
      console.log(String(c.pid));
      setInterval(() => {}, 1000);`;
    const lines: string[] = [];
    const started = performance.now();
    const result = await runAgentProcess(node(script, { maxDurationSec: 1, killGraceMs: 500, drainGraceMs: 300 }), { onStdoutLine: (l) => lines.push(l) });
    const elapsed = performance.now() - started;
    expect(result.agentExit).toBe(124);
    expect(result.timedOut).toBe(true);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('agent_execution_timeout: exceeded max_duration_sec=1');
    expect(elapsed).toBeLessThan(1000 + 500 + 300 + 700);
    expect(await goneSoon(Number(lines[0]))).toBe(true);
    expect(await goneSoon(result.pid!)).toBe(true);
  });

  it('runAgentProcess on timeout also kills a grandchild in its own session, the way codex starts tool commands', async () => {
    const script = `
      const c = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
      console.log(String(c.pid));
      setInterval(() => {}, 1000);`;
    const lines: string[] = [];
    const result = await runAgentProcess(node(script, { maxDurationSec: 1, killGraceMs: 300, drainGraceMs: 200 }), { onStdoutLine: (l) => lines.push(l) });
    expect(result.timedOut).toBe(true);
    const grandchild = Number(lines[0]);
    expect(grandchild).toBeGreaterThan(0);
    expect(await goneSoon(grandchild)).toBe(true);
  });

  it('runAgentProcess after a normal exit stops waiting for pipes a leftover holds and kills the leftover', async () => {
    // The agent lives a little while after starting the daemon, as codex does, so the tree sampler sees it.
    const script = `
      const c = require('child_process').spawn('sleep', ['30'], { stdio: 'inherit', detached: true });
      console.log(String(c.pid));
      setTimeout(() => process.exit(0), 600);`;
    const lines: string[] = [];
    const started = performance.now();
    const result = await runAgentProcess(node(script, { maxDurationSec: 20, drainGraceMs: 300 }), { onStdoutLine: (l) => lines.push(l) });
    expect(result.agentExit).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await goneSoon(Number(lines[0]))).toBe(true);
  });

  it('runAgentProcess with a missing binary returns exit 127 and the OS error, without throwing', async () => {
    const result = await runAgentProcess({ command: '/nonexistent/codex', args: [], cwd: tempDir(), env, input: 'x' });
    expect(result.agentExit).toBe(127);
    expect(result.spawnFailed).toBe(true);
    expect(result.stderr).toMatch(/ENOENT/);
    expect(result.lineCount).toBe(0);
  });

  it('runAgentProcess aborted by its signal stops the agent: interrupted, exit 130', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('manager shutting down')), 300);
    const result = await runAgentProcess(node(`setInterval(() => {}, 1000)`, { killGraceMs: 300, drainGraceMs: 200 }), { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.agentExit).toBe(130);
    expect(result.stderr).toMatch(/agent_execution_interrupted: manager shutting down/);
    expect(await goneSoon(result.pid!)).toBe(true);
  });

  it('runAgentProcess with an already aborted signal starts nothing', async () => {
    let spawned = false;
    const result = await runAgentProcess(node(`console.log(1)`), { signal: AbortSignal.abort('stop'), onSpawn: () => (spawned = true) });
    expect(spawned).toBe(false);
    expect(result).toMatchObject({ interrupted: true, agentExit: 130, pid: null });
  });

  it('runAgentProcess rethrows an exception from a line handler after the process ends', async () => {
    await expect(
      runAgentProcess(node(`console.log('x')`), {
        onStdoutLine: () => {
          throw new Error('analyser bug');
        },
      }),
    ).rejects.toThrow('analyser bug');
  });
});
