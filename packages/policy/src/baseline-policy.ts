import * as v from 'valibot';

const commandSchema = v.pipe(
  v.array(v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty')), 'must be an array of strings (an argv, no shell)'),
  v.minLength(1, 'must name a program'),
  v.metadata({ items: { type: 'string' } }),
  v.description('The test command as an argv (no shell), e.g. ["npm", "test"]. Default: found from the repository (package.json scripts.test, pytest config, go.mod, Cargo.toml).'),
);

const enabledSchema = v.pipe(v.boolean('must be true or false'), v.description('Run the test command on the untouched base commit at run-prepare (default true).'));

const repoBaselineSchema = v.strictObject(
  { enabled: v.optional(enabledSchema), command: v.optional(commandSchema) },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: enabled, command' : 'must be an object'),
);

const boundedInt = (min: number, max: number, description: string) =>
  v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`), v.description(description));

/**
 * The `baseline_tests` section of the manager policy: whether run-prepare runs the repository's tests on the
 * untouched base commit (confined like the agent) to learn which tests fail before the agent, and with what.
 */
export const baselineTestsSchema = v.object(
  {
    enabled: v.optional(enabledSchema, true),
    command: v.optional(commandSchema),
    max_seconds: v.optional(boundedInt(1, 24 * 3600, 'Time limit of the baseline test run in seconds; the tree is killed after it.'), 600),
    max_output_bytes: v.optional(boundedInt(4096, 16 * 1024 * 1024, 'The most bytes of stdout and of stderr kept (their ends).'), 1_048_576),
    repos: v.optional(
      v.pipe(
        v.record(v.string(), repoBaselineSchema, 'must be an object keyed by "owner/repo" or "repo"'),
        v.description('Per-repository baseline settings keyed by "owner/repo" or "repo" (case-insensitive); the bare-repo key is applied last.'),
      ),
      {},
    ),
  },
  'must be an object',
);

/** The `baseline_tests` section after validation and defaults. */
export type BaselineTestsPolicy = v.InferOutput<typeof baselineTestsSchema>;

/** The baseline settings that apply to one repository. */
export interface EffectiveBaselinePolicy {
  enabled: boolean;
  /** Null: detect the repository's own test command. */
  command: string[] | null;
  max_seconds: number;
  max_output_bytes: number;
}

/**
 * The baseline settings for `owner/repo`: the section's values, then the `repos` entry for `owner/repo`, then the one
 * for `repo` (keys compared case-insensitively).
 *
 * @example effectiveBaselinePolicy(policy.baseline_tests, 'mem0ai', 'mem0') // → { enabled: true, command: null, … }
 */
export function effectiveBaselinePolicy(section: BaselineTestsPolicy, owner: string, repo: string): EffectiveBaselinePolicy {
  const eff: EffectiveBaselinePolicy = {
    enabled: section.enabled,
    command: section.command ? [...section.command] : null,
    max_seconds: section.max_seconds,
    max_output_bytes: section.max_output_bytes,
  };
  const entries = new Map(Object.entries(section.repos).map(([key, value]) => [key.trim().toLowerCase(), value]));
  for (const key of [`${owner}/${repo}`.toLowerCase(), repo.toLowerCase()]) {
    const o = entries.get(key);
    if (!o) continue;
    if (o.enabled !== undefined) eff.enabled = o.enabled;
    if (o.command !== undefined) eff.command = [...o.command];
  }
  return eff;
}
