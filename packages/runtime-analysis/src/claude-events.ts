import { claudeCostUsd, claudeUsage } from './claude-usage.js';
import { idOf, isObj, str, type Obj } from './json-values.js';
import type { NormalizedEvent, NormalizedLine } from './normalize-event.js';

const CLAUDE_FILE_TOOLS = new Set(['write', 'edit', 'multiedit', 'notebookedit']);

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) if (isObj(part) && typeof part.text === 'string') out += (out ? '\n' : '') + part.text;
  return out;
}

/**
 * The ids of the tool calls a `user` line's `tool_result_meta` says never ran: the permission decision was `reject`
 * or Claude Code names a `non_execution_kind` (`user-rejected`). Claude Code 2.1.332 writes it next to the result.
 */
function refusedIds(payload: Obj): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(payload.tool_result_meta)) return ids;
  for (const m of payload.tool_result_meta) {
    if (!isObj(m)) continue;
    const id = idOf(m.id);
    const decision = isObj(m.permission_decision) ? m.permission_decision.decision : undefined;
    if (id && (decision === 'reject' || (typeof m.non_execution_kind === 'string' && m.non_execution_kind !== ''))) ids.add(id);
  }
  return ids;
}

function assistantEvents(message: Obj, events: NormalizedEvent[]): void {
  if (typeof message.model === 'string' && !message.model.startsWith('<')) events.push({ kind: 'session', model: message.model, cwd: null });
  if (!Array.isArray(message.content)) return;
  for (const part of message.content) {
    if (!isObj(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') events.push({ kind: 'agent_message', itemId: idOf(message.id), text: part.text });
    else if (part.type === 'tool_use') {
      const input = isObj(part.input) ? part.input : {};
      const name = str(part.name).toLowerCase();
      const itemId = idOf(part.id);
      if (typeof input.command === 'string' && (name === 'bash' || name === '')) {
        events.push({ kind: 'command', phase: 'started', itemId, command: input.command.trim() || null, status: 'in_progress', exitCode: null, output: null });
      } else if (CLAUDE_FILE_TOOLS.has(name)) {
        const path = typeof input.file_path === 'string' ? input.file_path : typeof input.notebook_path === 'string' ? input.notebook_path : undefined;
        events.push({ kind: 'file_change', phase: 'started', itemId, status: 'in_progress', paths: path ? [path] : [], tool: str(part.name) });
      }
    }
  }
}

function resultEvents(payload: Obj, events: NormalizedEvent[]): void {
  if (Array.isArray(payload.permission_denials)) {
    for (const d of payload.permission_denials) {
      if (!isObj(d)) continue;
      const input = isObj(d.tool_input) ? d.tool_input : {};
      events.push({ kind: 'permission_denied', itemId: idOf(d.tool_use_id), tool: str(d.tool_name), command: typeof input.command === 'string' ? input.command : null, reason: null });
    }
  }
  const usage = claudeUsage(payload);
  events.push({ kind: 'agent_result', text: typeof payload.result === 'string' ? payload.result : null, costUsd: claudeCostUsd(payload) });
  if (payload.is_error === true || (typeof payload.subtype === 'string' && payload.subtype !== 'success')) {
    events.push({ kind: 'turn_failed', message: str(payload.result) || str(payload.subtype) || 'claude run failed' });
    if (usage) events.push({ kind: 'usage', usage });
  } else events.push({ kind: 'turn_completed', usage });
}

/**
 * Normalises one Claude Code `stream-json` line (`type` system, assistant, user or result): Bash tool calls are
 * commands, Write/Edit/MultiEdit/NotebookEdit calls file changes, tool results answer them (marked `denied` when
 * Claude Code refused to run the call), the init event names the model and working directory, a `permission_denied`
 * system event or the result's `permission_denials` name refused calls, and the result event ends the turn with its
 * usage (see {@link claudeUsage}), cost and final text.
 *
 * @example
 * claudeLine('system', { type: 'system', subtype: 'init', model: 'claude-sonnet-4-5', cwd: '/ws', session_id: 's' })
 * // → { format: 'claude_stream_json', events: [{ kind: 'session', model: 'claude-sonnet-4-5', cwd: '/ws' }], … }
 */
export function claudeLine(type: string, payload: Obj): NormalizedLine {
  const events: NormalizedEvent[] = [];
  const message = isObj(payload.message) ? payload.message : undefined;
  if (type === 'assistant' && message) assistantEvents(message, events);
  else if (type === 'user' && message && Array.isArray(message.content)) {
    const refused = refusedIds(payload);
    for (const part of message.content) {
      if (isObj(part) && part.type === 'tool_result') {
        const itemId = idOf(part.tool_use_id);
        if (itemId) events.push({ kind: 'tool_result', itemId, isError: part.is_error === true, denied: refused.has(itemId), output: textOfContent(part.content) });
      }
    }
  } else if (type === 'system' && payload.subtype === 'init') {
    events.push({ kind: 'session', model: typeof payload.model === 'string' ? payload.model : null, cwd: typeof payload.cwd === 'string' ? payload.cwd : null });
  } else if (type === 'system' && payload.subtype === 'permission_denied') {
    const reason = str(payload.decision_reason) || str(payload.message);
    events.push({ kind: 'permission_denied', itemId: idOf(payload.tool_use_id), tool: str(payload.tool_name), command: null, reason: reason || null });
  } else if (type === 'result') resultEvents(payload, events);
  return { format: 'claude_stream_json', events, unknownEventType: undefined, unknownItemType: undefined };
}
