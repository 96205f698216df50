import type { PolicyError } from '@agentpr/policy';
import { ReportError } from './errors.js';

/** Maps a policy loading error to a report error: bad JSON exits 2, invalid values and unreadable files 1. */
export function policyError(error: PolicyError): ReportError {
  const code = error.code === 'invalid_json' ? 'invalid_json' : error.code === 'unreadable' ? 'io' : 'config';
  return new ReportError(code, error.message, { details: error.issues.length ? { issues: error.issues } : {}, cause: error });
}
