import { AgentprError } from '@agentpr/orchestrator/errors';
import type { FlagValues } from './flag-spec.js';

/** A string flag's value, or undefined. */
export function str(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string flag; a usage error names the flag when it is missing or blank. */
export function requireStr(values: FlagValues, name: string): string {
  const v = str(values, name);
  if (v === undefined || v.trim() === '') throw new AgentprError('usage', `--${name} is required`);
  return v;
}

/** A boolean flag. */
export function flag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/** A repeatable string flag. */
export function list(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** An integer flag with bounds; a usage error says what is allowed. */
export function int(values: FlagValues, name: string, options: { min?: number; max?: number; default?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return options.default;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw new AgentprError('usage', `--${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(text);
  if (options.min !== undefined && n < options.min) throw new AgentprError('usage', `--${name} must be at least ${options.min}, got ${n}`);
  if (options.max !== undefined && n > options.max) throw new AgentprError('usage', `--${name} must be at most ${options.max}, got ${n}`);
  return n;
}

/** Like {@link int} but required. */
export function requireInt(values: FlagValues, name: string, options: { min?: number; max?: number } = {}): number {
  const n = int(values, name, options);
  if (n === undefined) throw new AgentprError('usage', `--${name} is required`);
  return n;
}

/** A number flag (float) with bounds. */
export function num(values: FlagValues, name: string, options: { min?: number; default?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return options.default;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n)) throw new AgentprError('usage', `--${name} must be a number, got ${JSON.stringify(raw)}`);
  if (options.min !== undefined && n < options.min) throw new AgentprError('usage', `--${name} must be at least ${options.min}, got ${n}`);
  return n;
}

/**
 * A flag whose value must be one of `allowed` (case-insensitive, trimmed); undefined when absent. Anything else is a
 * usage error (exit 2) naming the allowed values, so a typo never silently falls back to a default.
 * @example choice(values, 'isolation', ['bwrap', 'none']) // 'bwrap' for --isolation BWRAP
 */
export function choice<T extends string>(values: FlagValues, name: string, allowed: readonly T[]): T | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw new AgentprError('usage', `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return value as T;
}
