import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentProcessResult } from '@agentpr/codex-runner';
import type { EngineName } from '@agentpr/policy';
import type { AgentLaunchRequest, AgentRunner } from '../agent-runner.js';
import type { ArtifactWriter } from '../../ports.js';

const fixturesDir = join(import.meta.dirname, '..', '..', '..', '..', '..', 'tools', 'fixtures');
const capturesDir = join(fixturesDir, 'codex-0.169-captures');
const claudeCapturesDir = join(fixturesDir, 'claude-2.1.332-captures');

/** A real codex 0.169 or Claude Code 2.1.332 capture (tools/fixtures): its stdout stream, exit code, stderr and last message. */
export interface Capture {
  stdout: string;
  exit: number;
  stderr: string;
  /** codex's last-message file ('' for Claude, which reports it in its stream only). */
  lastMessage: string;
  /** The workspace path the capture was taken in: replayed as the step's own workspace. */
  workspace?: string;
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

/** Reads one real Claude Code 2.1.332 capture of tools/fixtures/claude-2.1.332-captures (`<name>.jsonl` and its meta). */
export function claudeCapture(name: string): Capture {
  const meta = JSON.parse(readFileSync(join(claudeCapturesDir, `${name}.meta.json`), 'utf8')) as { agent_exit: number; stderr: string; workspace: string };
  return { stdout: readFileSync(join(claudeCapturesDir, `${name}.jsonl`), 'utf8'), exit: meta.agent_exit, stderr: meta.stderr, lastMessage: '', workspace: meta.workspace };
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
  /** The engine of each launch, in order (the runner `forEngine` gave). */
  engines: EngineName[];
  /** The engines `forEngine` was asked for, in order. */
  asked: EngineName[];
  /** The probe cache files the step named, in order. */
  probeCaches: string[];
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
 * An agent port that replays a captured stream instead of running the engine: the lines reach the step's analyser
 * as they would from the process (the capture's workspace path replaced by the step's), the stream file and codex's
 * last message are written where the engine writes them. Every engine replays the same script.
 */
export function fakeAgentRunner(script: FakeScript): FakeAgent {
  const launches: AgentLaunchRequest[] = [];
  const engines: EngineName[] = [];
  const asked: EngineName[] = [];
  const probeCaches: string[] = [];
  const runners = new Map<EngineName, AgentRunner>();
  const runnerFor = (name: EngineName): AgentRunner => runners.get(name) ?? runners.set(name, engineRunner(name)).get(name)!;
  const engineRunner = (name: EngineName): AgentRunner => ({
    name,
    forEngine: (other) => {
      asked.push(other);
      return runnerFor(other);
    },
    resolve: () => ({ ok: true, path: `/fake/bin/${name}`, source: 'fake' }),
    probe: (_bin, options) => {
      probeCaches.push(options.cacheFile);
      return Promise.resolve({ ok: true, capabilities: { fake: true }, cached: true });
    },
    checkIsolation: (level) => Promise.resolve({ ok: true, level, bwrapPath: null, version: null }),
    workspaceFree: () => ({ ok: true }),
    prepare(request) {
      launches.push(request);
      engines.push(name);
      return {
        isolationView: null,
        async run(handlers) {
          const { workspace } = script.capture;
          const stdout = workspace ? script.capture.stdout.split(workspace).join(request.paths.repoDir) : script.capture.stdout;
          const lines = stdout.split('\n').filter((l) => l.length > 0);
          mkdirSync(dirname(request.stdoutFile), { recursive: true });
          writeFileSync(request.stdoutFile, stdout);
          lines.forEach((line, i) => handlers.onStdoutLine(line, i));
          await script.during?.(request);
          if (script.untilAborted) await untilAborted(handlers.signal);
          const interrupted = handlers.signal?.aborted ?? false;
          if (script.capture.lastMessage) writeFileSync(request.paths.lastMessagePath, script.capture.lastMessage);
          return processResult({ ...script.capture, stdout }, interrupted, lines.length, lines.length, request.stdoutFile);
        },
      };
    },
  });
  return { runner: runnerFor('codex'), launches, engines, asked, probeCaches };
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
