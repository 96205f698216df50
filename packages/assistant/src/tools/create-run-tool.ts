import * as v from 'valibot';
import { createRun, NAME_MAX_LENGTH } from '@agentpr/orchestrator';
import { defineTool } from './define-tool.js';

/** A GitHub owner or repository name: letters, digits, `_ . -`, within GitHub's limit, not only dots (createRun checks again). */
function githubName(what: 'owner' | 'repo', description: string) {
  const max = NAME_MAX_LENGTH[what];
  return v.pipe(
    v.string(),
    v.regex(new RegExp(`^(?!\\.+$)[A-Za-z0-9_.-]{1,${max}}$`), `must be a GitHub ${what} name: 1-${max} letters, digits, _ . - (not only dots)`),
    v.description(description),
  );
}

/** The prompt version label the CLI's examples use; `agentpr create-run` asks for one. */
export const DEFAULT_PROMPT_VERSION = 'v1';

const args = v.strictObject({
  owner: githubName('owner', 'The repository owner on GitHub, e.g. mem0ai.'),
  repo: githubName('repo', 'The repository name, e.g. mem0.'),
  prompt_version: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be a short label (letters, digits, . _ : -)'), v.description(`The prompt version label (default ${DEFAULT_PROMPT_VERSION}).`)),
  ),
});

/** `create_run`: a new run in QUEUED for one repository, as `agentpr create-run` makes it (mode push_only, empty budget, the campaign in use). */
export const createRunTool = defineTool({
  name: 'create_run',
  description: 'Create a new run for one GitHub repository (state QUEUED); the manager then starts it. A person must confirm it before it runs.',
  tier: 'write',
  effect: 'write',
  args,
  describe: async (_ctx, input) => `create a run for ${input.owner}/${input.repo} (prompt version ${input.prompt_version ?? DEFAULT_PROMPT_VERSION}), state QUEUED`,
  async run(ctx, input) {
    const created = await createRun(ctx, { owner: input.owner, repo: input.repo, prompt_version: input.prompt_version ?? DEFAULT_PROMPT_VERSION });
    return {
      data: { run_id: created.run_id, repo: `${input.owner}/${input.repo}`, state: 'QUEUED' },
      summary: `created ${created.run_id} for ${input.owner}/${input.repo} (QUEUED)`,
    };
  },
});
