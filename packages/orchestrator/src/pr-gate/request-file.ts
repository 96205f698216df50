import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { AgentprError } from '../errors.js';

/** The request file `request-open-pr` writes; the token itself is stored only as its hash. */
const RequestFileSchema = v.object({
  run_id: v.string(),
  title: v.string(),
  body: v.string(),
  base: v.string(),
  head: v.string(),
  head_owner: v.string(),
  head_sha: v.string(),
  draft: v.boolean(),
  confirm_token_sha256: v.string(),
  created_at: v.string(),
  expires_at: v.string(),
});

/** A parsed PR-open request file. */
export type RequestFile = v.InferOutput<typeof RequestFileSchema>;

/**
 * Reads and checks a PR-open request file; a missing, unreadable, non-JSON or incomplete file is an
 * `AgentprError` that says to run request-open-pr again.
 */
export function readRequestFile(path: string): RequestFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AgentprError('not_found', `request file not found: ${path}. Run request-open-pr first.`);
    if (error instanceof SyntaxError) throw new AgentprError('invalid_input', `request file ${path} is not valid JSON; run request-open-pr again.`);
    throw new AgentprError('io', `cannot read request file ${path}: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(RequestFileSchema, raw);
  if (!parsed.success) {
    const missing = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
    throw new AgentprError('invalid_input', `request file ${path} is incomplete — ${missing.join('; ')}. Run request-open-pr again.`);
  }
  return parsed.output;
}
