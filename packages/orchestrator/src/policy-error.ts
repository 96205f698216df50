import type { PolicyError } from '@agentpr/policy';
import { AgentprError } from './errors.js';

/** Maps a policy loading error to the use-case error: bad JSON is `invalid_json`, invalid values `config`, an unreadable file `io`. */
export function policyError(error: PolicyError): AgentprError {
  const code = error.code === 'invalid_json' ? 'invalid_json' : error.code === 'unreadable' ? 'io' : 'config';
  return new AgentprError(code, error.message, { details: error.issues.length ? { issues: error.issues } : {}, cause: error });
}
