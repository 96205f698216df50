import { describe, expect, it } from 'vitest';
import { analyzeEventText, createStreamAnalyzer } from './stream-analyzer.js';

let nextId = 0;
/** A codex ≥ 0.44 command execution: item.started + item.completed lines. */
function exec(command: string, exitCode: number, output = ''): string[] {
  const id = `item_${nextId++}`;
  const base = { id, type: 'command_execution', command: `/bin/bash -c '${command.replace(/'/g, `'\\''`)}'` };
  return [
    JSON.stringify({ type: 'item.started', item: { ...base, aggregated_output: '', exit_code: null, status: 'in_progress' } }),
    JSON.stringify({ type: 'item.completed', item: { ...base, aggregated_output: output, exit_code: exitCode, status: exitCode === 0 ? 'completed' : 'failed' } }),
  ];
}
const message = (text: string): string => JSON.stringify({ type: 'item.completed', item: { id: `item_${nextId++}`, type: 'agent_message', text } });
const turnCompleted = (usage: Record<string, unknown>): string => JSON.stringify({ type: 'turn.completed', usage });
const stream = (...lines: Array<string | string[] | string[][]>): string => `${lines.flat(2).join('\n')}\n`;
const START = [JSON.stringify({ type: 'thread.started', thread_id: 't' }), JSON.stringify({ type: 'turn.started' })];

describe('createStreamAnalyzer: counting', () => {
  it('counts a started+completed pair as one execution and one frequency hit', () => {
    const a = analyzeEventText(stream(START, exec('ls', 0), exec('ls', 0), exec('pwd', 0), turnCompleted({ input_tokens: 1 })));
    expect(a.summary.command_event_count).toBe(3);
    expect(a.summary.top_commands_by_frequency).toEqual([
      { value: "/bin/bash -c 'ls'", count: 2 },
      { value: "/bin/bash -c 'pwd'", count: 1 },
    ]);
    expect(a.summary.command_events_sample).toHaveLength(6);
    expect(a.summary.event_type_counts).toEqual({ 'thread.started': 1, 'turn.started': 1, 'item.started': 3, 'item.completed': 3, 'turn.completed': 1 });
  });

  it('keeps the last turn.completed usage with every integer field, never summing', () => {
    const a = analyzeEventText(
      stream(START, turnCompleted({ input_tokens: 100, output_tokens: 20 }), JSON.stringify({ type: 'turn.started' }), turnCompleted({ input_tokens: 310, output_tokens: '60', reasoning_output_tokens: 5, cache_write_input_tokens: 0, note: 'x', nested: { a: 1 } })),
    );
    expect(a.summary.usage).toEqual({ input_tokens: 310, output_tokens: 60, reasoning_output_tokens: 5, cache_write_input_tokens: 0 });
  });

  it('splits on \\n only: a raw U+2028 inside a JSON string does not split a line, so offsets stay aligned', () => {
    const lines = [message('first\u2028second\u2029third'), ...exec('make test', 0), turnCompleted({})];
    const a = analyzeEventText(lines.join('\n'), { offsets: [0, 1000, 4500, 5000] });
    expect(a.summary.jsonl_line_count).toBe(4);
    expect(a.summary.parse_error_count).toBe(0);
    expect(a.summary.top_commands_by_duration).toEqual([{ command: "/bin/bash -c 'make test'", duration_ms: 3500, status: 'completed', exit_code: 0, item_id: expect.any(String) }]);
    expect(a.last_agent_message).toBe('first\u2028second\u2029third');
  });

  it('drops one trailing \\r per line and skips blank lines without counting them as events', () => {
    const a = analyzeEventText(`${START[0]}\r\n\r\n   \n${START[1]}\n`);
    expect(a.summary).toMatchObject({ jsonl_line_count: 4, parsed_event_count: 2, parse_error_count: 0 });
  });

  it('counts skill events found breadth-first under a `skill` or `skill_name` key', () => {
    const a = analyzeEventText(stream(JSON.stringify({ type: 'x.event', data: { meta: { Skill_Name: ' agentpr-implement-and-validate ' } } }), message('using the skill')));
    expect(a.summary.skill_event_counts).toEqual({ 'agentpr-implement-and-validate': 1 });
  });

  it('counts unknown event and item types and keeps going', () => {
    const a = analyzeEventText(stream(START, JSON.stringify({ type: 'future.event' }), JSON.stringify({ type: 'item.completed', item: { id: 'i', type: 'hologram' } }), exec('ls', 0)));
    expect(a.summary.unknown_event_type_counts).toEqual({ 'future.event': 1 });
    expect(a.summary.unknown_item_type_counts).toEqual({ hologram: 1 });
    expect(a.summary.command_event_count).toBe(1);
  });

  it('finds a command under a `cmd` key in an event of unknown shape', () => {
    const a = analyzeEventText(stream(JSON.stringify({ type: 'tool.run', payload: { cmd: 'pytest -q' } })));
    expect(a.commands).toEqual(['pytest -q']);
    expect(a.summary.command_event_count).toBe(1);
  });
});

describe('createStreamAnalyzer: bad input never throws', () => {
  it('an empty stream gives an empty analysis', () => {
    const a = analyzeEventText('');
    expect(a.summary).toMatchObject({ jsonl_line_count: 0, parsed_event_count: 0, parse_error_count: 0, format: 'unknown' });
    expect(a.inferred_exit_code.exit_code).toBeNull();
  });

  it('reports malformed lines with their line numbers', () => {
    const a = analyzeEventText(stream(START[0]!, 'not json', '[1,2]', '42', '{"type":"turn.started"}'));
    expect(a.summary.malformed_lines).toEqual([
      { line: 2, reason: 'not valid JSON' },
      { line: 3, reason: 'not a JSON object' },
      { line: 4, reason: 'not a JSON object' },
    ]);
    expect(a.summary.parsed_event_count).toBe(2);
  });

  it('binary garbage is counted as malformed lines', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const a = analyzeEventText(bytes.toString('latin1'));
    expect(a.summary.parsed_event_count).toBe(0);
    expect(a.summary.parse_error_count).toBeGreaterThan(0);
  });

  it('a truncated last line is malformed and the turn counts as interrupted', () => {
    const full = stream(START, exec('make test', 0));
    const a = analyzeEventText(`${full}{"type":"turn.comp`);
    expect(a.summary.malformed_lines).toEqual([{ line: 5, reason: 'not valid JSON' }]);
    expect(a.inferred_exit_code).toEqual({ exit_code: 1, source: 'the stream ended before the turn finished (interrupted or truncated)' });
  });

  it('a line longer than maxLineChars is skipped and reported, in pushLine and in write()', () => {
    const analyzer = createStreamAnalyzer({ maxLineChars: 100 });
    analyzer.write(START[0]!);
    analyzer.write('\n{"type":"x","pad":"');
    for (let i = 0; i < 50; i++) analyzer.write('y'.repeat(100));
    analyzer.write('"}\n');
    analyzer.pushLine('z'.repeat(101));
    const a = analyzer.finish();
    expect(a.summary.malformed_lines).toEqual([
      { line: 2, reason: 'line longer than 100 characters; skipped' },
      { line: 3, reason: 'line longer than 100 characters; skipped' },
    ]);
    expect(a.summary.parsed_event_count).toBe(1);
  });

  it('write() with arbitrary chunk boundaries gives the same result as whole lines', () => {
    const text = stream(START, exec('make test', 2, 'boom'), exec('make test', 0), turnCompleted({ input_tokens: 9 }));
    const analyzer = createStreamAnalyzer();
    for (let i = 0; i < text.length; i += 7) analyzer.write(text.slice(i, i + 7));
    const chunked = analyzer.finish();
    const whole = analyzeEventText(text);
    expect(chunked).toEqual(whole);
  });
});

describe('createStreamAnalyzer: test signals', () => {
  it('resolves a failed `make test` re-run successfully as `FOO=1 make test`', () => {
    const a = analyzeEventText(stream(START, exec('make test', 2, 'FAILED'), exec('FOO=1 make test', 0, '10 passed'), turnCompleted({})));
    expect(a.failed_test_commands).toEqual([]);
    expect(a.test_failures).toEqual([expect.objectContaining({ line: 4, exit_code: 2, resolved_by: expect.objectContaining({ line: 6, target: 'make test' }) })]);
    expect(a.test_commands).toEqual(["/bin/bash -c 'FOO=1 make test'"]);
  });

  it('a success BEFORE the failure does not resolve it', () => {
    const a = analyzeEventText(stream(START, exec('pytest', 0), exec('pytest', 1, '1 failed')));
    expect(a.failed_test_commands).toEqual(["/bin/bash -c 'pytest'"]);
  });

  it('a later run of a different file does not resolve a file-level failure', () => {
    const a = analyzeEventText(stream(START, exec('pytest tests/a.py', 1), exec('pytest tests/b.py', 0)));
    expect(a.failed_test_command_count).toBe(1);
  });

  it('sees a failing test and a sudo after the 100th command', () => {
    const filler = Array.from({ length: 150 }, (_, i) => exec(`cat file${i}.txt`, 0));
    const a = analyzeEventText(stream(START, filler, exec('pytest', 1, 'E assert'), exec('echo x | sudo tee /etc/hosts', 0), turnCompleted({})));
    expect(a.summary.command_event_count).toBe(152);
    expect(a.failed_test_commands).toEqual(["/bin/bash -c 'pytest'"]);
    expect(a.safety_violations).toEqual([{ rule: 'sudo', command: "/bin/bash -c 'echo x | sudo tee /etc/hosts'" }]);
    expect(a.safety_violation_lines[0]).toMatchObject({ line: 305, segment: 'sudo tee /etc/hosts' });
  });

  it('waives a failure only when ITS OWN output matches the allowlist', () => {
    const a = analyzeEventText(
      stream(START, exec('pytest tests/a.py', 1, 'ENOENT gateway-debug.log'), exec('pytest tests/b.py', 1, 'AssertionError'), message('note: gateway-debug.log is flaky'), turnCompleted({})),
      { allowlist: ['gateway-debug\\.log', '   ', '[invalid'] },
    );
    expect(a.waived_test_failures).toEqual(["/bin/bash -c 'pytest tests/a.py'"]);
    expect(a.failed_test_commands).toEqual(["/bin/bash -c 'pytest tests/b.py'"]);
    expect(a.allowlisted_test_failure_matches).toEqual(['gateway-debug\\.log']);
  });

  it('an invalid allowlist regex falls back to a case-insensitive substring', () => {
    const a = analyzeEventText(stream(START, exec('pytest', 1, 'Error: [Invalid state')), { allowlist: ['[invalid'] });
    expect(a.waived_test_failures).toHaveLength(1);
  });

  it('a masked test (`pytest | tail`) counts by its output summary: failures fail, a passing summary is evidence, silence is neither', () => {
    const failed = analyzeEventText(stream(START, exec('pytest | tail -n 3', 0, '=== 3 failed, 10 passed ===')));
    expect(failed.failed_test_commands).toEqual(["/bin/bash -c 'pytest | tail -n 3'"]);
    expect(failed.test_failures[0]!.note).toContain('masked');
    const passed = analyzeEventText(stream(START, exec('pytest | tail -n 3', 0, '=== 12 passed in 1.2s ===')));
    expect(passed.test_runs).toEqual([expect.objectContaining({ line: 4, note: expect.stringContaining('masked') })]);
    const silent = analyzeEventText(stream(START, exec('pytest || true', 0, '')));
    expect(silent.test_commands).toEqual([]);
    expect(silent.failed_test_commands).toEqual([]);
  });

  it('collects git commit/push commands, not git status', () => {
    const a = analyzeEventText(stream(START, exec('git status', 0), exec('git add -A && git commit -m x', 0), exec('git push origin HEAD', 1)));
    expect(a.git_commands).toEqual(["/bin/bash -c 'git add -A && git commit -m x'", "/bin/bash -c 'git push origin HEAD'"]);
  });
});

describe('createStreamAnalyzer: hidden failures and file changes', () => {
  const fileChange = (id: string, path: string, status: string): string[] => [
    JSON.stringify({ type: 'item.started', item: { id, type: 'file_change', changes: [{ path, kind: 'add' }], status: 'in_progress' } }),
    JSON.stringify({ type: 'item.completed', item: { id, type: 'file_change', changes: [{ path, kind: 'add' }], status } }),
  ];

  it('flags a file change that failed and was never redone', () => {
    const a = analyzeEventText(stream(START, fileChange('f1', '/ws/a.txt', 'failed'), fileChange('f2', '/ws/b.txt', 'failed'), fileChange('f3', '/ws/b.txt', 'completed')), { workspaceDir: '/ws' });
    expect(a.hidden_failures).toEqual([{ kind: 'failed_file_change', line: 4, item_id: 'f1', note: 'file change to /ws/a.txt failed and no later change to it succeeded' }]);
  });

  it('flags writes outside the workspace, /tmp and the runtime TMPDIR (write_outside_repo)', () => {
    const a = analyzeEventText(stream(START, fileChange('f1', '/ws/ok.txt', 'completed'), fileChange('f2', '/tmp/x', 'completed'), fileChange('f3', '/ws/.agentpr_runtime/tmp/y', 'completed'), fileChange('f4', '/home/me/.bashrc', 'completed'), fileChange('f5', '../outside.txt', 'completed')), {
      workspaceDir: '/ws',
      tmpDirs: ['/ws/.agentpr_runtime/tmp'],
    });
    expect(a.safety_violations).toEqual([
      { rule: 'write_outside_repo', command: 'file_change /home/me/.bashrc' },
      { rule: 'write_outside_repo', command: 'file_change ../outside.txt' },
    ]);
  });

  it('a denial in an agent message is explained by a visible failed command, and is hidden without one', () => {
    const hidden = analyzeEventText(stream(START, message('I could not write the file: Permission denied.')));
    expect(hidden.hidden_failures.map((h) => h.kind)).toEqual(['denial_without_command']);
    const visible = analyzeEventText(stream(START, exec('touch /etc/x', 1, 'Permission denied'), message('I could not write the file: Permission denied.')));
    expect(visible.hidden_failures).toEqual([]);
    const harmless = analyzeEventText(stream(START, message('I will do a quick read-only check.'), message("I can't write outside the repository, so caches go to .agentpr_runtime."), exec('ls', 0)));
    expect(harmless.hidden_failures).toEqual([]);
  });

  it('reads the status the agent reports in its last message', () => {
    expect(analyzeEventText(stream(START, message('Status: **FAIL**\n- tests failed'))).agent_status).toMatchObject({ status: 'FAIL', line: 3 });
    expect(analyzeEventText(stream(START, message('{"status": "NEEDS REVIEW"}'))).agent_status?.status).toBe('NEEDS REVIEW');
    expect(analyzeEventText(stream(START, message('Status: `/repo` is clean'))).agent_status).toBeNull();
    expect(analyzeEventText(stream(START, message('Status: NEEDS REVIEW'), message('Status: PASS'))).agent_status?.status).toBe('PASS');
  });
});

describe('createStreamAnalyzer: other formats', () => {
  // Claude Code streams are judged on real captures (src/__tests__/claude-captures.test.ts, and the hand-written
  // refusal cases in claude-refusals.test.ts). This hand-written stream stays for what no capture shows: a denial
  // named only by the result's permission_denials (no tool_result, no permission_denied event: an interrupted or
  // older stream), a failing pytest, and a usage without cache fields.
  it('reads Claude Code stream-json the captures do not show: a Write denied only in the result, a failing pytest, a usage without cache fields', () => {
    const lines = [
      { type: 'system', subtype: 'init', session_id: 's', tools: ['Bash'] },
      { type: 'assistant', session_id: 's', message: { id: 'm1', content: [{ type: 'text', text: 'Running tests' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'pytest -q', description: 'tests' } }] } },
      { type: 'user', session_id: 's', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '2 failed', is_error: true }] } },
      { type: 'assistant', session_id: 's', message: { id: 'm2', content: [{ type: 'tool_use', id: 'toolu_2', name: 'Write', input: { file_path: '/etc/passwd', content: 'x' } }] } },
      { type: 'result', subtype: 'success', is_error: false, session_id: 's', result: 'done', usage: { input_tokens: 50, output_tokens: 7 }, permission_denials: [{ tool_name: 'Write', tool_use_id: 'toolu_2', tool_input: { file_path: '/etc/passwd' } }] },
    ].map((l) => JSON.stringify(l));
    const a = analyzeEventText(stream(lines), { workspaceDir: '/ws' });
    expect(a.summary.format).toBe('claude_stream_json');
    expect(a.failed_test_commands).toEqual(['pytest -q']);
    expect(a.test_failures[0]).toMatchObject({ line: 3, exit_code: 1 });
    expect(a.hidden_failures.map((h) => [h.kind, h.line])).toEqual([['permission_denied', 5], ['failed_file_change', 5]]);
    expect(a.summary.usage).toEqual({ input_tokens: 50, cached_input_tokens: 0, output_tokens: 7 });
    expect(a.summary).toMatchObject({ model: null, result_text: 'done', cost_usd: null });
    expect(a.inferred_exit_code.exit_code).toBe(0);
    // the denied Write wrote nothing: a refused attempt outside, not a file change outside
    expect(a.file_changes).toEqual([]);
    expect(a.safety_violations).toEqual([]);
    expect(a.safety_findings.map((f) => [f.kind, f.path, f.line, f.refused])).toEqual([['write_outside', '/etc/passwd', 4, 'denied by claude at line 5']]);
  });

  it('reads the legacy dump: begin/end by call_id, argv joined, token_count usage, workdir from the header', () => {
    const lines = [
      { model: 'm', provider: 'p', sandbox: 'read-only', workdir: '/ws', approval: 'never' },
      { prompt: 'go' },
      { id: '0', msg: { type: 'exec_command_begin', call_id: 'c1', command: ['bash', '-lc', 'make test'], cwd: '/ws' } },
      { id: '0', msg: { type: 'exec_command_end', call_id: 'c1', stdout: 'ok', stderr: '', aggregated_output: 'ok', exit_code: 0 } },
      { id: '0', msg: { type: 'patch_apply_begin', call_id: 'p1', changes: { '/elsewhere/x': { add: {} } } } },
      { id: '0', msg: { type: 'patch_apply_end', call_id: 'p1', success: true } },
      { id: '0', msg: { type: 'token_count', info: { total_token_usage: { input_tokens: 10, total_tokens: 12 } } } },
      { id: '0', msg: { type: 'brand_new_thing' } },
    ].map((l) => JSON.stringify(l));
    const a = analyzeEventText(stream(lines));
    expect(a.summary.format).toBe('codex_legacy');
    expect(a.test_commands).toEqual(["bash -lc 'make test'"]);
    expect(a.summary.usage).toEqual({ input_tokens: 10, total_tokens: 12 });
    expect(a.workspace_dir).toBe('/ws');
    expect(a.safety_violations.map((v) => v.rule)).toEqual(['write_outside_repo']);
    expect(a.summary.unknown_event_type_counts).toEqual({ brand_new_thing: 1 });
    expect(a.summary.event_type_counts.unknown).toBe(2);
  });
});

describe('createStreamAnalyzer: safety findings (issue 12)', () => {
  const opts = { workspaceDir: '/ws', tmpDirs: ['/ws/.agentpr_runtime/tmp'] };

  it('names each finding at the first execution of its command, with line, item id and note', () => {
    const lines = stream(START, exec('make test', 0), exec('cp ./evil /usr/local/bin/git', 0), exec('cp ./evil /usr/local/bin/git', 0), exec('cat /proc/1/environ', 1, 'Permission denied'));
    const a = analyzeEventText(lines, opts);
    expect(a.safety_findings).toEqual([
      { kind: 'write_outside', path: '/usr/local/bin/git', command: "/bin/bash -c 'cp ./evil /usr/local/bin/git'", line: 5, item_id: expect.any(String), note: '`cp ./evil /usr/local/bin/git` copies into /usr/local/bin/git, outside the workspace and the allowed roots → write_outside' },
      { kind: 'credential_access', path: '/proc/1/environ', command: "/bin/bash -c 'cat /proc/1/environ'", line: 9, item_id: expect.any(String), note: '`cat /proc/1/environ` touches /proc/1/environ (a process environment) → credential_access' },
    ]);
  });

  it('judges relative writes against the workspace from the options, or the legacy header workdir', () => {
    expect(analyzeEventText(stream(START, exec('touch ../../x', 0)), opts).safety_findings.map((f) => f.path)).toEqual(['/x']);
    const legacy = [
      { model: 'm', provider: 'p', sandbox: 'workspace-write', workdir: '/repo/ws', approval: 'never' },
      { id: '0', msg: { type: 'exec_command_begin', call_id: 'c1', command: ['bash', '-lc', 'echo x > ../other/file'], cwd: '/repo/ws' } },
      { id: '0', msg: { type: 'exec_command_end', call_id: 'c1', stdout: '', stderr: '', aggregated_output: '', exit_code: 0 } },
    ].map((l) => JSON.stringify(l));
    expect(analyzeEventText(stream(legacy)).safety_findings.map((f) => [f.kind, f.path, f.line])).toEqual([['write_outside', '/repo/other/file', 2]]);
  });

  it('a file_change into .git/hooks is a git_config finding; elsewhere in the workspace it is nothing', () => {
    const fc = (id: string, path: string): string => JSON.stringify({ type: 'item.completed', item: { id, type: 'file_change', changes: [{ path, kind: 'add' }], status: 'completed' } });
    const a = analyzeEventText(stream(START, fc('f1', '/ws/src/a.ts'), fc('f2', '/ws/.git/hooks/post-checkout')), opts);
    expect(a.safety_findings).toEqual([{ kind: 'git_config', path: '/ws/.git/hooks/post-checkout', command: 'file_change /ws/.git/hooks/post-checkout', line: 0, item_id: null, note: "file_change writes /ws/.git/hooks/post-checkout, inside the repository's git internals (hooks, info, config) → git_config" }]);
    expect(a.safety_violations).toEqual([]);
  });

  it('finds them in the text fallback too (no parsed events, commands from stderr)', () => {
    const a = analyzeEventText('exec\n/bin/bash -lc \'echo k >> ~/.ssh/authorized_keys\' in /ws\n', opts);
    expect(a.text_fallback).toBe(true);
    expect(a.safety_findings.map((f) => [f.kind, f.path, f.line])).toEqual([
      ['credential_access', '~/.ssh/authorized_keys', 0],
      ['write_outside', '~/.ssh/authorized_keys', 0],
    ]);
  });

  it('keeps at most 200 findings however many distinct commands write outside', () => {
    const execs = Array.from({ length: 300 }, (_, i) => exec(`touch /etc/f${i}`, 0));
    expect(analyzeEventText(stream(START, execs), opts).safety_findings).toHaveLength(200);
  });

  it('the text fallback records through the same caps as parsed commands (at most 200 git commands)', () => {
    const stderr = Array.from({ length: 200 }, (_, i) => `bash -lc 'git push origin b${i}'\n/bin/sh -c "git commit -m c${i}"`).join('\n');
    const a = analyzeEventText('not json\n', { ...opts, stderr });
    expect(a.text_fallback).toBe(true);
    expect(a.command_count).toBe(400);
    expect(a.git_commands).toHaveLength(200);
    expect(a.git_command_lines[0]).toEqual({ command: 'git push origin b0', segment: 'git push origin b0', line: 0, item_id: null });
  });
});

describe('StreamAnalyzer.progress (the live progress line, from the one parse)', () => {
  it('names the running command, counts completed ones and the last token usage', () => {
    const analyzer = createStreamAnalyzer();
    expect(analyzer.progress()).toEqual({ currentCommand: null, commands: 0, tokens: 0 });
    analyzer.pushLine(JSON.stringify({ type: 'item.started', item: { id: 'c1', type: 'command_execution', command: 'npm test', status: 'in_progress' } }));
    expect(analyzer.progress()).toEqual({ currentCommand: 'npm test', commands: 0, tokens: 0 });
    analyzer.pushLine(JSON.stringify({ type: 'item.completed', item: { id: 'c1', type: 'command_execution', command: 'npm test', status: 'completed', exit_code: 0 } }));
    analyzer.pushLine(JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 120, cached_input_tokens: 50, output_tokens: 30 } }));
    expect(analyzer.progress()).toEqual({ currentCommand: null, commands: 1, tokens: 150 });
  });
});
