import * as v from 'valibot';
import { RUN_ID_PATTERN } from '@agentpr/orchestrator';
import { RUN_STATES } from '@agentpr/state-machine';
import { MAX_ITEMS } from './tool-data.js';

/**
 * Argument schemas shared by the tools. Only what `@valibot/to-json-schema` converts is used (objects, strings with a
 * pattern or length, bounded integers, picklists, unions, arrays, optionals), so each tool's JSON Schema is generated
 * from the very schema that validates the model's call.
 */

/** A run id, as create-run makes them (`run_` + 12 hex) or as given to it. */
export const runIdArg = v.pipe(v.string(), v.regex(RUN_ID_PATTERN, 'is not a run id (letters, digits, . _ -)'), v.description('The run id, e.g. run_45f3cbdcdc56.'));

/** One of the 15 run states, upper-case. */
export const stateArg = v.picklist(RUN_STATES, `must be one of ${RUN_STATES.join(', ')}`);

/** An optional count of 1..50 items. */
export function limitArg(what: string, fallback: number) {
  return v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(MAX_ITEMS), v.description(`How many ${what} (1-${MAX_ITEMS}, default ${fallback}).`)));
}
