import { describe, expect, it } from 'vitest';
import { classifyAttempt } from './classify-attempt.js';
import { analyzeEventText } from './stream-analyzer.js';

// Hand-written Claude Code streams for refusals no capture shows (the write-outside capture shows a denied Write):
// a denied Bash command, a denied push, a call denied once and then run, a failed Edit. The shapes follow what
// Claude Code 2.1.332 prints (tools/fixtures/claude-2.1.332-captures/write-outside.jsonl): a `permission_denied`
// system event, then the tool_result with `tool_result_meta` saying the call was rejected, then the result's
// `permission_denials`.

const WS = '/tmp/ws';
const defaults = { stage: 'IMPLEMENTING', maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };
const init = { type: 'system', subtype: 'init', cwd: WS, session_id: 's', model: 'claude-sonnet-4-5' };

function call(id: string, name: string, input: Record<string, unknown>): Record<string, unknown> {
  return { type: 'assistant', session_id: 's', message: { id: `m_${id}`, model: 'claude-sonnet-4-5', content: [{ type: 'tool_use', id, name, input }] } };
}
function answer(id: string, content: string, isError: boolean, rejected = false): Record<string, unknown> {
  return {
    type: 'user', session_id: 's', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] },
    ...(rejected ? { tool_result_meta: [{ id, non_execution_kind: 'user-rejected', permission_decision: { decision: 'reject', source: 'config' } }] } : {}),
  };
}
function denial(id: string, tool: string, reason: string): Record<string, unknown> {
  return { type: 'system', subtype: 'permission_denied', tool_name: tool, tool_use_id: id, decision_reason: reason, message: `Claude requested permissions to use ${tool}, but you haven't granted it yet.`, session_id: 's' };
}
const text = (t: string): Record<string, unknown> => ({ type: 'assistant', session_id: 's', message: { id: 'm_text', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: t }] } });
function result(denials: Array<[string, string, Record<string, unknown>]>): Record<string, unknown> {
  return { type: 'result', subtype: 'success', is_error: false, session_id: 's', result: 'Status: PASS\ndone', usage: { input_tokens: 10, output_tokens: 5 }, permission_denials: denials.map(([id, tool, input]) => ({ tool_use_id: id, tool_name: tool, tool_input: input })) };
}
const jsonl = (events: Array<Record<string, unknown>>): string => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
const REJECTED = "Claude requested permissions to use Bash, but you haven't granted it yet.";

describe('Claude Code refusals: what was tried is not what happened', () => {
  it('a denied Bash redirection outside is a refused finding ("tried, refused … it never ran"); the denied `npm test` is neither test evidence nor a failure', () => {
    const bash = 'echo x > /etc/agentpr-probe && npm test';
    const a = analyzeEventText(jsonl([
      init,
      call('t1', 'Bash', { command: bash }),
      denial('t1', 'Bash', 'Permission rule Bash denies this command'),
      answer('t1', REJECTED, true, true),
      text('Status: PASS\ndone'),
      result([['t1', 'Bash', { command: bash }]]),
    ]));
    expect(a.workspace_dir).toBe(WS);
    expect(a.refused_actions).toEqual([{ outcome: 'denied', kind: 'command', tool: 'Bash', target: bash, line: 2, item_id: 't1', refused_line: 3, reason: 'Permission rule Bash denies this command' }]);
    expect([a.test_commands, a.failed_test_commands, a.test_failures]).toEqual([[], [], []]);
    // regression: the result's permission_denials repeat the command's input; that is no second execution
    expect([a.command_count, a.summary.command_event_count]).toEqual([1, 1]);
    expect(a.safety_findings).toHaveLength(1);
    expect(a.safety_findings[0]).toMatchObject({ kind: 'write_outside', path: '/etc/agentpr-probe', line: 2, item_id: 't1', refused: 'denied by claude at line 3 ("Permission rule Bash denies this command")' });
    expect(a.safety_findings[0]!.note).toBe('`echo x > /etc/agentpr-probe` writes (redirection `>`) /etc/agentpr-probe, outside the workspace and the allowed roots; tried, refused: denied by claude at line 3 ("Permission rule Bash denies this command"), it never ran → write_outside');
    const c = classifyAttempt({ ...defaults, agentExit: 0, analysis: a });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    expect(c.evidence[0]?.note).toMatch(/^line 2: .*tried, refused: denied by claude at line 3 .*it never ran → write_outside$/);
  });

  it('a denial shown only by tool_result_meta (no permission_denied event) still refuses the call, with the tool_result text as the reason', () => {
    const a = analyzeEventText(jsonl([init, call('t1', 'Bash', { command: 'npm test' }), answer('t1', REJECTED, true, true), result([])]));
    expect(a.refused_actions).toMatchObject([{ outcome: 'denied', kind: 'command', target: 'npm test', line: 2, refused_line: 3, reason: REJECTED }]);
    expect(a.failed_test_commands).toEqual([]);
    const c = classifyAttempt({ ...defaults, agentExit: 0, analysis: a });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
  });

  it('a denied `git push` keeps agent_push_disallowed (it was tried) and says it never ran', () => {
    const a = analyzeEventText(jsonl([init, call('t1', 'Bash', { command: 'git push origin HEAD' }), denial('t1', 'Bash', 'denied by rule'), answer('t1', REJECTED, true, true), result([])]));
    const c = classifyAttempt({ ...defaults, agentExit: 0, analysis: a });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'agent_push_disallowed']);
    expect(c.evidence[0]?.note).toBe('line 2: `git push origin HEAD` runs `git push origin HEAD`, but agent push is not allowed; tried, refused: denied by claude at line 3 ("denied by rule"), it never ran');
  });

  it('a command denied once and then run is not refused: the finding stands as a write', () => {
    const bash = 'touch /etc/agentpr-probe';
    const a = analyzeEventText(jsonl([
      init,
      call('t1', 'Bash', { command: bash }), denial('t1', 'Bash', 'ask'), answer('t1', REJECTED, true, true),
      call('t2', 'Bash', { command: bash }), answer('t2', '', false),
      result([['t1', 'Bash', { command: bash }]]),
    ]));
    expect(a.refused_actions.map((r) => r.item_id)).toEqual(['t1']);
    expect(a.safety_findings).toHaveLength(1);
    expect(a.safety_findings[0]!.refused).toBeUndefined();
    expect(a.safety_findings[0]!.note).not.toContain('refused');
  });

  it('an Edit that fails inside the workspace writes nothing (a failed refusal, a hidden failure), and the later successful Edit is the write', () => {
    const path = `${WS}/src/a.js`;
    const failed = analyzeEventText(jsonl([init, call('e1', 'Edit', { file_path: path, old_string: 'x', new_string: 'y' }), answer('e1', 'String to replace not found in file.\nString: `x`', true), result([])]));
    expect(failed.file_changes).toEqual([]);
    expect(failed.refused_actions).toEqual([{ outcome: 'failed', kind: 'file_change', tool: 'Edit', target: path, line: 2, item_id: 'e1', refused_line: 3, reason: 'String to replace not found in file.' }]);
    expect(failed.safety_findings).toEqual([]);
    expect(failed.hidden_failures.map((h) => h.kind)).toEqual(['failed_file_change']);
    const redone = analyzeEventText(jsonl([
      init,
      call('e1', 'Edit', { file_path: path, old_string: 'x', new_string: 'y' }), answer('e1', 'String to replace not found in file.', true),
      call('e2', 'Edit', { file_path: path, old_string: 'a', new_string: 'b' }), answer('e2', 'The file has been updated.', false),
      result([]),
    ]));
    expect(redone.file_changes).toEqual([path]);
    expect(redone.hidden_failures).toEqual([]);
  });

  it('a denied Write into .git/hooks is a refused git_config finding; a Write never answered counts as written', () => {
    const hook = `${WS}/.git/hooks/pre-commit`;
    const a = analyzeEventText(jsonl([init, call('w1', 'Write', { file_path: hook, content: '#!/bin/sh' }), denial('w1', 'Write', 'Path is protected'), answer('w1', 'denied', true, true), result([])]));
    expect(a.safety_findings.map((f) => [f.kind, f.path, f.refused])).toEqual([['git_config', hook, 'denied by claude at line 3 ("Path is protected")']]);
    expect(a.file_changes).toEqual([]);
    const cut = analyzeEventText(jsonl([init, call('w1', 'Write', { file_path: '/var/tmp/x', content: 'x' })]));
    expect(cut.file_changes).toEqual(['/var/tmp/x']);
    expect(cut.safety_violations).toEqual([{ rule: 'write_outside_repo', command: 'file_change /var/tmp/x' }]);
  });

  it('a refusal reason from the stream is one line without backticks or control characters, capped', () => {
    const a = analyzeEventText(jsonl([init, call('t1', 'Bash', { command: 'ls' }), denial('t1', 'Bash', `\u001b[31mno\`pe\`${'x'.repeat(300)}\nsecond line`), answer('t1', REJECTED, true, true), result([])]));
    const reason = a.refused_actions[0]!.reason;
    expect(reason).toMatch(/^\[31mno'pe'x+…$/);
    expect(reason.length).toBe(160);
  });
});
