import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listArtifacts, listAttempts } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { ContractOutcome } from './actions.js';

/** The last JSON object in `text` that has the contract schema's `status` and `repo` keys. */
export function lastContractObject(text: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        try {
          const value = JSON.parse(text.slice(start, i + 1)) as unknown;
          if (value && typeof value === 'object' && 'status' in value && 'repo' in value) found = value as Record<string, unknown>;
        } catch {
          // not JSON; keep scanning
        }
        break;
      }
    }
  }
  return found;
}

/** Reads the contract from the latest passing DISCOVERY agent attempt's last message. */
export async function contractFromLastMessage(ctx: AppContext, runId: string): Promise<ContractOutcome> {
  const [message] = await listArtifacts(ctx.db, runId, { limit: 1, type: 'agent_last_message' });
  const [attempt] = await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' });
  if (!message || !attempt || attempt.stage !== 'DISCOVERY') return { kind: 'needs_review', reason: 'no last message from the contract stage' };
  let text: string;
  try {
    text = readFileSync(message.uri, 'utf8');
  } catch {
    return { kind: 'needs_review', reason: `last message unreadable: ${message.uri}` };
  }
  const contract = lastContractObject(text);
  if (!contract) return { kind: 'needs_review', reason: 'no contract JSON object in the last message' };
  if (contract.status === 'skip') return { kind: 'skip' };
  if (contract.status !== 'ready') return { kind: 'needs_review', reason: `contract status ${String(contract.status)}` };
  const path = ctx.artifacts.writeNew(join(ctx.paths.dataDir, 'contracts'), `${runId}_contract_`, '.json', `${JSON.stringify(contract, null, 2)}\n`);
  return { kind: 'ready', path };
}
