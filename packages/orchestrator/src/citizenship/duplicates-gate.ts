import type { AppContext } from '../context.js';
import type { GateRequest, GateTarget, GateVerdict } from './gate-types.js';

// Placeholder: the issue-17 work on this gate replaces it.
export async function checkDuplicates(_ctx: AppContext, _target: GateTarget, _request: GateRequest): Promise<GateVerdict> {
  return { gate: 'duplicates' as GateVerdict['gate'], outcome: 'pass', reasonCode: null, message: 'not checked yet', detail: {} };
}
