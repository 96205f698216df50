import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentProcessResult } from '@agentpr/codex-runner';
import type { AgentLaunchRequest, AgentRunner } from '../agent-runner.js';
import type { ArtifactWriter } from '../../ports.js';

const capturesDir = join(import.meta.dirname, '..', '..', '..', '..', '..', 'tools', 'fixtures', 'codex-0.169-captures');

/** A real codex 0.169 capture (tools/fixtures): its stdout stream, exit code, stderr and last message. */
export interface Capture {
  stdout: string;
  exit: number;
  stderr: string;
  lastMessage: string;
}

/** Reads one capture directory of tools/fixtures/codex-0.169-captures. */
export function capture(name: string): Capture {
  const read = (file: string): string => {
    try {
      return readFileSync(join(capturesDir, name, file), 'utf8');
    } catch {
      return '';
    }
  };
  return { stdout: read('stdout.jsonl'), exit: Number(read('exit-code.txt').trim() || '0'), stderr: read('stderr.txt'), lastMessage: read('last-message.txt') };
}

/** What the fake agent does in one launch. */
export interface FakeScript {
  capture: Capture;
  /** Runs after the stream was replayed, before the agent "exits": change the workspace, abort the step. */
  during?: (request: AgentLaunchRequest) => void | Promise<void>;
  /** Keep running after the replay until the step's signal aborts. */
  untilAborted?: boolean;
}

/** A fake {@link AgentRunner} and what was asked of it. */
export interface FakeAgent {
  runner: AgentRunner;
  /** The launches the step prepared (none when it refused before launching). */
  launches: AgentLaunchRequest[];
}

function processResult(capture: Capture, interrupted: boolean, durationMs: number, lines: number, stdoutFile: string): AgentProcessResult {
  const stderr = interrupted ? `${capture.stderr}agent_execution_interrupted: aborted\n` : capture.stderr;
  return {
    agentExit: interrupted ? 130 : capture.exit,
    signal: null,
    durationMs,
    timedOut: false,
    interrupted,
    spawnFailed: false,
    pid: 4242,
    stdoutTail: capture.stdout.slice(-64 * 1024),
    stderr,
    lineCount: lines,
    stdoutBytes: Buffer.byteLength(capture.stdout),
    stdoutLineOffsetsMs: Array.from({ length: lines }, (_, i) => i),
    stdoutFile,
    maxDurationSec: 0,
    workspaceBusy: false,
    watchdogPid: null,
  };
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * An agent port that replays a captured codex stream instead of running codex: the lines reach the step's analyser
 * as they would from the process, the stream file and the last message are written where codex writes them.
 */
export function fakeAgentRunner(script: FakeScript): FakeAgent {
  const launches: AgentLaunchRequest[] = [];
  const runner: AgentRunner = {
    name: 'codex',
    // Another engine replays the same script; the launches are recorded in the same list.
    forEngine: (name) => (name === runner.name ? runner : { ...runner, name, forEngine: runner.forEngine }),
    resolve: () => ({ ok: true, path: '/fake/bin/codex', source: 'fake' }),
    probe: () => Promise.resolve({ ok: true, capabilities: { fake: true }, cached: true }),
    checkIsolation: (level) => Promise.resolve({ ok: true, level, bwrapPath: null, version: null }),
    workspaceFree: () => ({ ok: true }),
    prepare(request) {
      launches.push(request);
      return {
        isolationView: null,
        async run(handlers) {
          const lines = script.capture.stdout.split('\n').filter((l) => l.length > 0);
          mkdirSync(dirname(request.stdoutFile), { recursive: true });
          writeFileSync(request.stdoutFile, script.capture.stdout);
          lines.forEach((line, i) => handlers.onStdoutLine(line, i));
          await script.during?.(request);
          if (script.untilAborted) await untilAborted(handlers.signal);
          const interrupted = handlers.signal?.aborted ?? false;
          if (script.capture.lastMessage) writeFileSync(request.paths.lastMessagePath, script.capture.lastMessage);
          return processResult(script.capture, interrupted, lines.length, lines.length, request.stdoutFile);
        },
      };
    },
  };
  return { runner, launches };
}

/** An {@link ArtifactWriter} that keeps every file in memory. */
export function memoryArtifacts(): ArtifactWriter & { files: Map<string, string> } {
  const files = new Map<string, string>();
  return {
    files,
    writeNew(dir, prefix, suffix, content) {
      const path = join(dir, `${prefix}${files.size + 1}${suffix}`);
      files.set(path, content);
      return path;
    },
  };
}
