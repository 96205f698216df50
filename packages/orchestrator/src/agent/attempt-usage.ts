import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCodexHome } from '@agentpr/codex-runner';
import type { EngineName } from '@agentpr/policy';
import type { AttemptUsage } from '@agentpr/store';
import { tomlStrings } from './codex-config-toml.js';

// What an agent attempt used, for cost accounting (issue 17): the engine, the model when agentpr can know it, and the
// last cumulative token usage the engine reported in its stream (the analyser keeps it; codex repeats totals, so the
// last report is the attempt's total).

const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_MODEL_CHARS = 200;

/** A model name as recorded: trimmed, without control characters, capped; null when empty. */
function modelName(raw: string | null | undefined): string | null {
  const name = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_MODEL_CHARS);
  return name ? name : null;
}

/** The model named by codex arguments: `-m M`, `--model M`, `--model=M` or `-c model="M"`; the last one wins. */
export function modelFromArgs(args: readonly string[]): string | null {
  let model: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((arg === '-m' || arg === '--model') && i + 1 < args.length) model = modelName(args[++i]);
    else if (arg.startsWith('--model=')) model = modelName(arg.slice('--model='.length));
    else if ((arg === '-c' || arg === '--config') && i + 1 < args.length) {
      const m = /^\s*model\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/.exec(args[++i]!);
      if (m) model = modelName(m[1] ?? m[2] ?? m[3]);
    }
  }
  return model;
}

/** The model a codex `config.toml` selects: the active profile's `model`, else the top-level one (a reader for just that). */
export function modelFromConfigToml(toml: string): string | null {
  const tables = tomlStrings(toml);
  const top = tables.get('')!;
  const profile = top.get('profile');
  return modelName((profile !== undefined ? tables.get(`profiles.${profile}`)?.get('model') : undefined) ?? top.get('model') ?? null);
}

/** The first bytes of the operator's codex config (it is small), or '' when there is none. */
function readConfig(codexHome: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(join(codexHome, 'config.toml'), 'r');
    const buf = Buffer.alloc(MAX_CONFIG_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The model of an attempt: the step's `--codex-model`, else the agent arguments, else the operator's codex config. */
export function attemptModel(input: { codexModel?: string | undefined; agentArgs?: readonly string[] | undefined }, codexHome: string): string | null {
  return modelName(input.codexModel) ?? modelFromArgs(input.agentArgs ?? []) ?? modelFromConfigToml(readConfig(codexHome));
}

/** The model the stream says served the attempt (Claude's init and result events, as the analyser keeps it), or null. */
function streamModel(summary: object): string | null {
  return 'model' in summary && typeof summary.model === 'string' ? modelName(summary.model) : null;
}

/**
 * The model of an attempt of `engine`: the one agentpr asked for (`--model`, `--codex-model`, the policy's
 * `claude.model`), else the agent arguments; then codex's is the operator's codex config's, Claude's the one its
 * stream reports.
 * @example attemptModelOf('claude', { model: null, agentArgs: [] }, env, analysis.summary) // 'claude-sonnet-4-5'
 */
export function attemptModelOf(
  engine: EngineName,
  asked: { model: string | null; agentArgs?: readonly string[] | undefined },
  env: Readonly<Record<string, string | undefined>>,
  summary: object,
): string | null {
  if (engine === 'codex') return attemptModel({ codexModel: asked.model ?? undefined, agentArgs: asked.agentArgs }, resolveCodexHome(env));
  return modelName(asked.model) ?? modelFromArgs(asked.agentArgs ?? []) ?? streamModel(summary);
}

/** A counter of the stream's last usage report: a non-negative integer, or null when the engine did not report it. */
function counter(usage: Readonly<Record<string, number>>, key: string): number | null {
  const n = usage[key];
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.trunc(n) : null;
}

/**
 * The usage to record with an agent attempt: the engine, the model and the stream's last cumulative token usage
 * (`reasoning_output_tokens` recorded as `reasoningTokens`; null counters when the engine reported none).
 *
 * @example
 * attemptUsageOf('codex', 'gpt-5-codex', { input_tokens: 210, cached_input_tokens: 50, output_tokens: 40, reasoning_output_tokens: 5 })
 * // → { engine: 'codex', model: 'gpt-5-codex', inputTokens: 210, cachedInputTokens: 50, outputTokens: 40, reasoningTokens: 5 }
 */
export function attemptUsageOf(engine: string, model: string | null, usage: Readonly<Record<string, number>>): AttemptUsage {
  return {
    engine,
    model,
    inputTokens: counter(usage, 'input_tokens'),
    cachedInputTokens: counter(usage, 'cached_input_tokens'),
    outputTokens: counter(usage, 'output_tokens'),
    reasoningTokens: counter(usage, 'reasoning_output_tokens') ?? counter(usage, 'reasoning_tokens'),
  };
}
