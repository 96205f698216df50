import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILES, schemaFileText } from '../../scripts/json-schemas.js';
import { effectivePolicy, parseManagerPolicy } from '../manager-policy.js';
import { BUILTIN_RUNTIME_ENV_TEMPLATES, parseRuntimeEnvOverrides } from '../runtime-env.js';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(join(pkg, file), 'utf8');

describe('shipped policy files', () => {
  it.each(Object.keys(JSON_SCHEMA_FILES))('%s is up to date with the valibot schema (run `node scripts/generate-schemas.mjs`)', (file) => {
    expect(read(file)).toBe(schemaFileText(JSON_SCHEMA_FILES[file]!()));
  });

  it('manager_policy.example.json is valid, has no unknown keys and carries the spec values', () => {
    const r = parseManagerPolicy(JSON.parse(read('manager_policy.example.json')));
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.warnings).toEqual([]);
    expect(r.policy.run_agent_step).toMatchObject({ max_changed_files: 6, max_added_lines: 120, max_agent_seconds: 900 });
    expect(effectivePolicy(r.policy, 'mem0ai', 'mem0')).toMatchObject({ skills_mode: 'agentpr', max_agent_seconds: 780, max_changed_files: 3, max_added_lines: 45, max_retryable_attempts: 2, min_test_commands: 2, success_event_stream_sample_pct: 8 });
    expect(effectivePolicy(r.policy, 'virattt', 'dexter')).toMatchObject({ max_changed_files: 4, max_added_lines: 70, known_test_failure_allowlist: ['\\.dexter/gateway-debug\\.log', 'No such file or directory.*gateway-debug\\.log'] });
  });

  it('runtime_env_overrides.example.json has exactly the 28 built-in entries', () => {
    const value = JSON.parse(read('runtime_env_overrides.example.json')) as Record<string, string>;
    expect(value).toEqual(BUILTIN_RUNTIME_ENV_TEMPLATES);
    expect(Object.keys(value)).toEqual(Object.keys(BUILTIN_RUNTIME_ENV_TEMPLATES));
    expect(parseRuntimeEnvOverrides(value).ok).toBe(true);
  });
});
