import { toJsonSchema } from '@valibot/to-json-schema';
import { ManagerPolicyFileSchema } from '../src/manager-policy.js';
import { RuntimeEnvOverridesSchema } from '../src/runtime-env.js';

/** The checked-in JSON Schema files, relative to the package root, and how to build each. */
export const JSON_SCHEMA_FILES: Record<string, () => Record<string, unknown>> = {
  'manager_policy.schema.json': buildManagerPolicyJsonSchema,
  'runtime_env_overrides.schema.json': buildRuntimeEnvJsonSchema,
};

/** The JSON Schema of the manager policy file, from its valibot schema (input shape, defaults included). */
export function buildManagerPolicyJsonSchema(): Record<string, unknown> {
  return toJsonSchema(ManagerPolicyFileSchema, { typeMode: 'input', errorMode: 'ignore' }) as Record<string, unknown>;
}

/** The JSON Schema of the runtime env override file. */
export function buildRuntimeEnvJsonSchema(): Record<string, unknown> {
  return toJsonSchema(RuntimeEnvOverridesSchema, { typeMode: 'input', errorMode: 'ignore' }) as Record<string, unknown>;
}

/** The exact text written to a schema file. */
export function schemaFileText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
