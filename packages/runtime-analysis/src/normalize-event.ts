import { claudeLine } from './claude-events.js';
import { idOf, isObj, str, type Obj } from './json-values.js';
import { parseIntLoose } from './parse-int-loose.js';
import { shellJoin } from './shell-segments.js';

/**
 * Event-stream formats the analysis understands: codex ≥ 0.44 `--json`, the 0.42-era
 * `--experimental-json`, the codex ≤ 0.43 legacy `{id, msg}` dump, and Claude Code `stream-json`.
 */
export type StreamFormat = 'codex_json' | 'codex_experimental_json' | 'codex_legacy' | 'claude_stream_json' | 'unknown';

/** One normalised event. A raw line yields zero or more of these. */
export type NormalizedEvent =
  | {
    kind: 'command';
    phase: 'started' | 'updated' | 'completed';
    itemId: string | null;
    /** Null when the event does not repeat the command (legacy `exec_command_end`, Claude tool results). */
    command: string | null;
    status: string;
    exitCode: number | null;
    output: string | null;
  }
  | {
    kind: 'file_change';
    phase: 'started' | 'updated' | 'completed';
    itemId: string | null;
    /** `completed`, `failed`, `declined` or `denied` (refused before it ran) on completion. */
    status: string;
    paths: string[];
    /** The tool that makes the change (Claude's `Write`, `Edit`), when the format names one. */
    tool?: string;
    /** Why a change failed or was refused (the tool's error text, Claude's denial reason). */
    reason?: string;
  }
  /**
   * A Claude tool result; the analyser matches it to the command or file change it answers. `denied`: Claude Code
   * refused to run the call (its `tool_result_meta` says so), so the error is a refusal, not an outcome.
   */
  | { kind: 'tool_result'; itemId: string; isError: boolean; denied: boolean; output: string }
  | { kind: 'agent_message'; itemId: string | null; text: string }
  | { kind: 'turn_started' }
  | { kind: 'turn_completed'; usage: Record<string, unknown> | null }
  | { kind: 'turn_failed'; message: string }
  /** A stream-level error (top-level `error`, legacy `error`/`stream_error`): part of the failure text. */
  | { kind: 'error'; message: string }
  /** A non-fatal warning item (`item.type = "error"`). Never part of the failure text. */
  | { kind: 'warning'; message: string }
  /** Cumulative usage outside `turn.completed` (legacy `token_count`). */
  | { kind: 'usage'; usage: Record<string, unknown> }
  /** A tool the agent was not allowed to run (Claude's `permission_denied` event or its result's `permission_denials`). */
  | { kind: 'permission_denied'; itemId: string | null; tool: string; command: string | null; reason: string | null }
  /** What the agent's harness says about the session: the model and working directory (Claude's init event). */
  | { kind: 'session'; model: string | null; cwd: string | null }
  /** The run's final result (Claude's `result` event): its text and the cost the engine computed. */
  | { kind: 'agent_result'; text: string | null; costUsd: number | null };

/** What one parsed line says: its format (when the shape is decisive), its events, and unknown types. */
export interface NormalizedLine {
  format: StreamFormat | undefined;
  events: NormalizedEvent[];
  /** The event type, when the format does not know it. */
  unknownEventType: string | undefined;
  /** The item type, when the format does not know it. */
  unknownItemType: string | undefined;
}

const CODEX_TOP = new Set(['thread.started', 'turn.started', 'turn.completed', 'turn.failed', 'item.started', 'item.updated', 'item.completed', 'error', 'item.plan.delta', 'request_user_input', 'session.created']);
const CODEX_ITEMS = new Set(['agent_message', 'assistant_message', 'reasoning', 'command_execution', 'file_change', 'mcp_tool_call', 'web_search', 'todo_list', 'collab_tool_call', 'plan', 'error']);
const LEGACY_MSGS = new Set([
  'task_started', 'task_complete', 'turn_aborted', 'agent_reasoning', 'agent_reasoning_delta', 'agent_reasoning_raw_content',
  'agent_reasoning_raw_content_delta', 'agent_reasoning_section_break', 'agent_message', 'agent_message_delta', 'exec_command_begin',
  'exec_command_output_delta', 'exec_command_end', 'token_count', 'session_configured', 'patch_apply_begin', 'patch_apply_end',
  'plan_update', 'stream_error', 'error', 'background_event', 'exec_approval_request', 'apply_patch_approval_request', 'user_message',
  'turn_diff', 'mcp_tool_call_begin', 'mcp_tool_call_end', 'web_search_begin', 'web_search_end', 'shutdown_complete', 'mcp_list_tools_response',
  'get_history_entry_response', 'list_custom_prompts_response', 'conversation_path', 'entered_review_mode', 'exited_review_mode',
]);
const CLAUDE_TOP = new Set(['system', 'assistant', 'user', 'result']);
const LEGACY_HEADER_KEYS = ['provider', 'sandbox', 'workdir', 'approval', 'model', 'reasoning effort'];

function none(format: StreamFormat | undefined, unknownEventType?: string, unknownItemType?: string): NormalizedLine {
  return { format, events: [], unknownEventType, unknownItemType };
}

function codexItem(phaseType: string, item: Obj, format: StreamFormat): NormalizedLine {
  const phase: 'started' | 'updated' | 'completed' = phaseType === 'item.started' ? 'started' : phaseType === 'item.updated' ? 'updated' : 'completed';
  const rawType = str(item.type ?? item.item_type).trim().toLowerCase();
  const type = rawType === 'assistant_message' ? 'agent_message' : rawType;
  const itemId = idOf(item.id);
  switch (type) {
    case 'command_execution': {
      const command = typeof item.command === 'string' ? item.command.trim() || null : Array.isArray(item.command) ? shellJoin(item.command) : null;
      const output = typeof item.aggregated_output === 'string' ? item.aggregated_output : null;
      return { format, events: [{ kind: 'command', phase, itemId, command, status: str(item.status).trim(), exitCode: parseIntLoose(item.exit_code), output }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'file_change': {
      const paths: string[] = [];
      if (Array.isArray(item.changes)) for (const c of item.changes) if (isObj(c) && typeof c.path === 'string') paths.push(c.path);
      return { format, events: [{ kind: 'file_change', phase, itemId, status: str(item.status).trim(), paths }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'agent_message':
      return phase === 'completed' ? { format, events: [{ kind: 'agent_message', itemId, text: str(item.text) }], unknownEventType: undefined, unknownItemType: undefined } : none(format);
    case 'error':
      return { format, events: [{ kind: 'warning', message: str(item.message) }], unknownEventType: undefined, unknownItemType: undefined };
    default:
      return CODEX_ITEMS.has(type) ? none(format) : none(format, undefined, type || 'unknown');
  }
}

function legacyMsg(msg: Obj): NormalizedLine {
  const f: StreamFormat = 'codex_legacy';
  const type = str(msg.type).trim().toLowerCase();
  switch (type) {
    case 'exec_command_begin': {
      const command = Array.isArray(msg.command) ? shellJoin(msg.command) : typeof msg.command === 'string' ? msg.command.trim() || null : null;
      return { format: f, events: [{ kind: 'command', phase: 'started', itemId: idOf(msg.call_id), command, status: 'in_progress', exitCode: null, output: null }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'exec_command_end': {
      const exitCode = parseIntLoose(msg.exit_code);
      const output = typeof msg.aggregated_output === 'string' ? msg.aggregated_output : `${str(msg.stdout)}${str(msg.stderr)}`;
      const status = exitCode === 0 ? 'completed' : 'failed';
      return { format: f, events: [{ kind: 'command', phase: 'completed', itemId: idOf(msg.call_id), command: null, status, exitCode, output }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'agent_message':
      return { format: f, events: [{ kind: 'agent_message', itemId: null, text: str(msg.message) }], unknownEventType: undefined, unknownItemType: undefined };
    case 'token_count': {
      const info = msg.info;
      if (isObj(info) && isObj(info.total_token_usage)) return { format: f, events: [{ kind: 'usage', usage: info.total_token_usage }], unknownEventType: undefined, unknownItemType: undefined };
      return none(f);
    }
    case 'patch_apply_begin': {
      const paths = isObj(msg.changes) ? Object.keys(msg.changes) : [];
      return { format: f, events: [{ kind: 'file_change', phase: 'started', itemId: idOf(msg.call_id), status: 'in_progress', paths }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'patch_apply_end':
      return { format: f, events: [{ kind: 'file_change', phase: 'completed', itemId: idOf(msg.call_id), status: msg.success === false ? 'failed' : 'completed', paths: [] }], unknownEventType: undefined, unknownItemType: undefined };
    case 'error':
    case 'stream_error':
      return { format: f, events: [{ kind: 'error', message: str(msg.message) }], unknownEventType: undefined, unknownItemType: undefined };
    case 'task_started':
      return { format: f, events: [{ kind: 'turn_started' }], unknownEventType: undefined, unknownItemType: undefined };
    case 'task_complete':
      return { format: f, events: [{ kind: 'turn_completed', usage: null }], unknownEventType: undefined, unknownItemType: undefined };
    case 'turn_aborted':
      return { format: f, events: [{ kind: 'turn_failed', message: `turn aborted${msg.reason ? `: ${str(msg.reason)}` : ''}` }], unknownEventType: undefined, unknownItemType: undefined };
    default:
      return LEGACY_MSGS.has(type) ? none(f) : none(f, type || 'unknown');
  }
}

/**
 * Normalises one parsed JSON line of any supported format into {@link NormalizedEvent}s. The format is
 * judged from the line's own shape (the current `item.*` shape or the legacy `msg` dump), so mixed or concatenated streams work.
 * Unknown event and item types are reported, never thrown.
 *
 * @example
 * normalizeEvent({type: 'item.completed', item: {id: 'item_3', type: 'command_execution', command: "/bin/bash -c 'make test'", exit_code: 2,
 *   status: 'failed'}})
 * // → {format: 'codex_json', events: [{kind: 'command', phase: 'completed', itemId: 'item_3', exitCode: 2, …}], …}
 */
export function normalizeEvent(payload: Obj): NormalizedLine {
  const rawType = payload.type;
  const msg = payload.msg;
  if (isObj(msg) && rawType === undefined) return legacyMsg(msg);
  if (typeof rawType !== 'string') {
    if (typeof payload.prompt === 'string' && Object.keys(payload).length <= 2) return none('codex_legacy');
    for (const k of LEGACY_HEADER_KEYS) if (k in payload) return none('codex_legacy');
    return none(undefined, 'unknown');
  }
  const type = rawType.trim().toLowerCase();
  const item = payload.item;
  if (type.startsWith('item.') && isObj(item)) {
    const format: StreamFormat = 'item_type' in item ? 'codex_experimental_json' : 'codex_json';
    if (type === 'item.started' || type === 'item.updated' || type === 'item.completed') return codexItem(type, item, format);
    return none(format, CODEX_TOP.has(type) ? undefined : type);
  }
  switch (type) {
    case 'thread.started':
    case 'turn.started':
      return { format: 'codex_json', events: type === 'turn.started' ? [{ kind: 'turn_started' }] : [], unknownEventType: undefined, unknownItemType: undefined };
    case 'turn.completed':
      return { format: 'codex_json', events: [{ kind: 'turn_completed', usage: isObj(payload.usage) ? payload.usage : null }], unknownEventType: undefined, unknownItemType: undefined };
    case 'turn.failed': {
      const err = payload.error;
      const message = isObj(err) ? str(err.message) : str(err);
      return { format: 'codex_json', events: [{ kind: 'turn_failed', message: message || 'turn failed' }], unknownEventType: undefined, unknownItemType: undefined };
    }
    case 'error':
      return { format: undefined, events: [{ kind: 'error', message: str(payload.message) }], unknownEventType: undefined, unknownItemType: undefined };
    case 'session.created':
      return none('codex_experimental_json');
    default:
      if (CLAUDE_TOP.has(type) && ('session_id' in payload || 'message' in payload || 'subtype' in payload)) return claudeLine(type, payload);
      if (CODEX_TOP.has(type)) return none('codex_json');
      return none(undefined, type);
  }
}
