import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { RUN_STATES } from '@agentpr/state-machine';
import { ASSISTANT_TOOLS, assistantTools, REASON_CODE_NOTES, STATE_NOTES } from '../index.js';
import { toolNamed } from './tool-fixtures.js';

const READ_TOOLS = [
  'list_runs',
  'show_run',
  'inspect_run',
  'run_bottlenecks',
  'pending_prs',
  'inbox',
  'skills_metrics',
  'skills_feedback',
  'webhook_audit_summary',
  'explain_state',
  'explain_reason_code',
];
const WRITE_TOOLS = ['pause_run', 'resume_run', 'retry_run', 'create_run', 'drive_run'];

/** The members of the `ReasonCode` union, read from the runtime analysis's source (inside this repository). */
function reasonCodeUnion(): string[] {
  const file = fileURLToPath(new URL('../../../../runtime-analysis/src/types.ts', import.meta.url));
  const union = /export type ReasonCode =([^;]+);/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  return [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!).sort();
}

describe('ASSISTANT_TOOLS', () => {
  it('holds exactly the read and write tools of the issue, each name once and in snake_case', () => {
    const names = ASSISTANT_TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]{0,47}$/);
  });

  it('offers no tool that approves, merges or opens a PR, by name or by description', () => {
    for (const tool of ASSISTANT_TOOLS) {
      expect(tool.name).not.toMatch(/approv|merg|open_?pr|pull_?request/i);
      expect(tool.description).not.toMatch(/approv|merg|open(s|ing)? (a |the )?(pr|pull)/i);
    }
  });

  it('gives each tool an object JSON Schema generated from its valibot arguments, every field described', () => {
    for (const tool of ASSISTANT_TOOLS) {
      const schema = toJsonSchema(tool.args) as { type?: string; properties?: Record<string, { description?: string }> };
      expect(schema.type, tool.name).toBe('object');
      expect(schema.properties, tool.name).toBeTypeOf('object');
      for (const [field, property] of Object.entries(schema.properties ?? {})) expect(property.description, `${tool.name}.${field}`).toMatch(/\S/);
    }
  });

  it('rejects arguments its schema does not name, so no extra field is silently ignored', () => {
    for (const tool of ASSISTANT_TOOLS) expect((toJsonSchema(tool.args) as { additionalProperties?: unknown }).additionalProperties, tool.name).toBe(false);
    expect(v.safeParse(toolNamed(ASSISTANT_TOOLS, 'inbox').args, { unexpected: true }).success).toBe(false);
    expect(v.safeParse(toolNamed(ASSISTANT_TOOLS, 'pause_run').args, { run_id: 'run_a1', force: true }).success).toBe(false);
    expect(v.safeParse(toolNamed(ASSISTANT_TOOLS, 'pause_run').args, { run_id: 'run_a1' }).success).toBe(true);
  });

  it('tiers read tools read and write tools write, and gives every write tool a describe (and no read tool one)', () => {
    for (const tool of ASSISTANT_TOOLS) {
      const write = WRITE_TOOLS.includes(tool.name);
      expect(tool.tier, tool.name).toBe(write ? 'write' : 'read');
      expect(tool.effect, tool.name).toBe(write ? 'write' : 'read');
      expect(typeof tool.describe, tool.name).toBe(write ? 'function' : 'undefined');
      expect(tool.description.length, tool.name).toBeLessThanOrEqual(400);
    }
  });

  it('assistantTools offers drive_run only to an app that supplies tickRun', () => {
    expect(assistantTools({}).map((t) => t.name)).not.toContain('drive_run');
    expect(assistantTools({}).length).toBe(ASSISTANT_TOOLS.length - 1);
    expect(assistantTools({ tickRun: async () => ({ data: null, summary: '' }) }).map((t) => t.name)).toContain('drive_run');
  });

  it('explains every reason code of the runtime verdict, and only those', () => {
    const codes = reasonCodeUnion();
    expect(codes.length).toBeGreaterThan(20);
    expect(Object.keys(REASON_CODE_NOTES).sort()).toEqual(codes);
  });

  it('has a note on every run state', () => {
    expect(Object.keys(STATE_NOTES).sort()).toEqual([...RUN_STATES].sort());
  });
});
