import { describe, expect, it } from 'vitest';
import { DEFAULT_MANAGER_POLICY, DEFAULT_NETWORK_ALLOWLIST, effectivePolicy, loadPolicy, parseManagerPolicy, type ManagerPolicy } from './manager-policy.js';
import type { ReadTextFile } from './read-text-file.js';

const files = (map: Record<string, string>): ReadTextFile => async (path) => map[path];

function policy(value: unknown): ManagerPolicy {
  const r = parseManagerPolicy(value);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.policy;
}

describe('parseManagerPolicy', () => {
  it('an empty object gives the built-in defaults', () => {
    expect(DEFAULT_MANAGER_POLICY.run_agent_step).toEqual({
      engine: 'codex',
      engine_by_stage: {},
      claude: { permission_mode: 'acceptEdits', allowed_tools: ['Bash', 'Read', 'Glob', 'Grep', 'TodoWrite'], disallowed_tools: ['WebSearch', 'WebFetch'], max_turns: 40 },
      codex_sandbox: 'danger-full-access',
      skills_mode: 'off',
      max_agent_seconds: 900,
      max_changed_files: 8,
      max_added_lines: 150,
      max_retryable_attempts: 3,
      min_test_commands: 1,
      known_test_failure_allowlist: [],
      success_event_stream_sample_pct: 15,
      success_state: 'LOCAL_VALIDATING',
      on_retryable_state: 'FAILED_RETRYABLE',
      on_human_review_state: 'NEEDS_HUMAN_REVIEW',
      env_passthrough: [],
      isolation: 'bwrap',
      network: 'allowlist',
      network_allowlist: [...DEFAULT_NETWORK_ALLOWLIST],
      provider_env_allowlist: [],
      sandbox_read_paths: [],
      repo_overrides: {},
    });
    expect(DEFAULT_MANAGER_POLICY.telegram_bot).toMatchObject({ poll_timeout_sec: 30, rate_limit_global: 120, audit_log_file: 'reports/telegram_audit.jsonl', audit_max_bytes: 10485760, audit_keep_files: 5 });
    expect(DEFAULT_MANAGER_POLICY.github_webhook).toMatchObject({ max_payload_bytes: 1048576, audit_log_file: 'reports/github_webhook_audit.jsonl' });
    expect(DEFAULT_MANAGER_POLICY.manager).toEqual({ max_retries_per_run: 3, action_timeout_sec: 1800 });
  });

  it('merges a partial file over the defaults and normalises values', () => {
    const p = policy({
      run_agent_step: { codex_sandbox: ' Workspace-Write ', success_state: 'unchanged', max_agent_seconds: -5, success_event_stream_sample_pct: 400, known_test_failure_allowlist: [' a ', '', 'a', 3, true], env_passthrough: ['HTTPS_PROXY', 'HTTPS_PROXY'] },
      telegram_bot: { poll_timeout_sec: 0 },
      github_webhook: { max_payload_bytes: 10 },
    });
    expect(p.run_agent_step).toMatchObject({ codex_sandbox: 'workspace-write', success_state: 'UNCHANGED', max_agent_seconds: 0, success_event_stream_sample_pct: 100, known_test_failure_allowlist: ['a', '3', 'true'], env_passthrough: ['HTTPS_PROXY'], max_changed_files: 8 });
    expect(p.telegram_bot.poll_timeout_sec).toBe(1);
    expect(p.telegram_bot.list_limit).toBe(20);
    expect(p.github_webhook.max_payload_bytes).toBe(1024);
  });

  it('names the field, the allowed values and the bad value', () => {
    const r = parseManagerPolicy({ run_agent_step: { codex_sandbox: 'full', max_changed_files: '6', max_added_lines: 1.5, known_test_failure_allowlist: 'x' } });
    expect(r).toEqual({
      ok: false,
      issues: [
        'run_agent_step.codex_sandbox: must be one of read-only, workspace-write, danger-full-access (got "full")',
        'run_agent_step.max_changed_files: must be an integer (got "6")',
        'run_agent_step.max_added_lines: must be an integer (got 1.5)',
        'run_agent_step.known_test_failure_allowlist: must be an array of strings (got "x")',
      ],
    });
  });

  it('ignores unknown keys with a warning, but rejects them inside repo_overrides', () => {
    const ok = parseManagerPolicy({ $schema: './x.json', colour: 'blue', run_agent_step: { max_changes: 3 } });
    expect(ok.ok && ok.warnings).toEqual(['colour: unknown key (ignored); known keys: run_agent_step, telegram_bot, github_webhook, manager, baseline_tests, manager_llm, campaign_defaults, campaigns, pricing', 'run_agent_step.max_changes: unknown key (ignored)']);
    const bad = parseManagerPolicy({ run_agent_step: { repo_overrides: { 'a/b': { codex_sandbox: 'read-only' } } } });
    expect(bad).toEqual({
      ok: false,
      issues: ['run_agent_step.repo_overrides.a/b.codex_sandbox: unknown field; allowed: max_agent_seconds, max_changed_files, max_added_lines, max_retryable_attempts, min_test_commands, success_event_stream_sample_pct, known_test_failure_allowlist, skills_mode, network, network_allowlist, allow_agent_push, engine, engine_by_stage'],
    });
  });

  it('lower-cases override keys and rejects empty and colliding keys', () => {
    expect(Object.keys(policy({ run_agent_step: { repo_overrides: { ' Mem0AI/Mem0 ': { max_changed_files: 3 } } } }).run_agent_step.repo_overrides)).toEqual(['mem0ai/mem0']);
    const r = parseManagerPolicy({ run_agent_step: { repo_overrides: { '  ': {}, 'A/B': {}, 'a/b': {} } } });
    expect(r.ok ? [] : r.issues).toEqual(['run_agent_step.repo_overrides."  ": the key must be "owner/repo" or "repo", not empty', 'run_agent_step.repo_overrides.a/b: duplicates another key that also normalises to "a/b"']);
  });

  it('a non-object top level is an error', () => {
    expect(parseManagerPolicy([1])).toEqual({ ok: false, issues: ['(top level): must be a JSON object (got [1])'] });
    expect(parseManagerPolicy({ manager: [], run_agent_step: { repo_overrides: { x: [] } } })).toEqual({ ok: false, issues: ['manager: must be an object (got [])', 'run_agent_step.repo_overrides.x: must be an object (got [])'] });
  });
});

describe('loadPolicy', () => {
  it('a missing file gives the defaults with loaded=false', async () => {
    expect(await loadPolicy('/p/manager_policy.json', files({}))).toEqual({ ok: true, policy: DEFAULT_MANAGER_POLICY, loaded: false, path: '/p/manager_policy.json', warnings: [] });
  });

  it('bad JSON is an invalid_json error whose message starts with "invalid JSON:"', async () => {
    const r = await loadPolicy('/p/m.json', files({ '/p/m.json': '{"run_agent_step": ' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_json');
    expect(r.error.message).toMatch(/^invalid JSON: \/p\/m\.json: /);
  });

  it('invalid values give one line naming the file and the field', async () => {
    const r = await loadPolicy('/p/m.json', files({ '/p/m.json': '{"run_agent_step": {"min_test_commands": null}}' }));
    expect(r.ok ? null : [r.error.code, r.error.message]).toEqual(['invalid_policy', '/p/m.json: run_agent_step.min_test_commands: must be an integer (got null)']);
  });

  it('an unreadable file is an error, warnings carry the file name', async () => {
    const failing: ReadTextFile = async () => {
      throw new Error('EACCES: permission denied');
    };
    const r = await loadPolicy('/p/m.json', failing);
    expect(r.ok ? null : r.error.message).toBe('/p/m.json: cannot read the policy file: EACCES: permission denied');
    const w = await loadPolicy('/p/m.json', files({ '/p/m.json': '{"extra": 1}' }));
    expect(w.ok && w.warnings).toEqual(['/p/m.json: extra: unknown key (ignored); known keys: run_agent_step, telegram_bot, github_webhook, manager, baseline_tests, manager_llm, campaign_defaults, campaigns, pricing']);
  });
});

describe('effectivePolicy', () => {
  const p = policy({
    run_agent_step: {
      known_test_failure_allowlist: ['global'],
      repo_overrides: {
        'Mem0AI/Mem0': { max_changed_files: 3, known_test_failure_allowlist: ['owner-repo', 'global'], skills_mode: 'agentpr' },
        mem0: { max_changed_files: 5, known_test_failure_allowlist: ['bare'] },
      },
    },
  });

  it('applies owner/repo then the bare repo (which wins), case-insensitively, concatenating allowlists', () => {
    expect(effectivePolicy(p, 'mem0ai', 'MEM0')).toEqual({
      ...Object.fromEntries(Object.entries(p.run_agent_step).filter(([k]) => !['env_passthrough', 'repo_overrides', 'provider_env_allowlist', 'sandbox_read_paths'].includes(k))),
      allow_agent_push: false,
      engine_source: 'default',
      engine_by_stage_source: {},
      max_changed_files: 5,
      skills_mode: 'agentpr',
      known_test_failure_allowlist: ['global', 'owner-repo', 'bare'],
    });
  });

  it('another owner gets only the bare-repo override; an unknown repo gets the globals', () => {
    expect(effectivePolicy(p, 'someone', 'mem0').max_changed_files).toBe(5);
    expect(effectivePolicy(p, 'someone', 'mem0').skills_mode).toBe('off');
    expect(effectivePolicy(p, 'x', 'y').max_changed_files).toBe(8);
    expect(Object.keys(effectivePolicy(p, 'x', 'y'))).toHaveLength(21);
  });
});

describe('confinement settings', () => {
  it('default to a bubblewrap sandbox with the allowlisting proxy and no agent push', () => {
    const eff = effectivePolicy(DEFAULT_MANAGER_POLICY, 'acme', 'widgets');
    expect(eff).toMatchObject({ isolation: 'bwrap', network: 'allowlist', allow_agent_push: false });
    expect(eff.network_allowlist).toContain('registry.npmjs.org');
  });

  it('grant agent push and widen the allowlist per repository only', () => {
    const p = policy({ run_agent_step: { isolation: 'NONE', repo_overrides: { 'acme/widgets': { allow_agent_push: true, network_allowlist: ['*.example.com', '127.0.0.1:4010'], network: 'off' } } } });
    expect(p.run_agent_step.isolation).toBe('none');
    const granted = effectivePolicy(p, 'acme', 'widgets');
    expect(granted).toMatchObject({ allow_agent_push: true, network: 'off' });
    expect(granted.network_allowlist).toEqual(expect.arrayContaining(['api.openai.com', '*.example.com', '127.0.0.1:4010']));
    expect(effectivePolicy(p, 'acme', 'other')).toMatchObject({ allow_agent_push: false, network: 'allowlist' });
  });

  it('refuse unknown levels, bad host rules and relative read paths with the field named', () => {
    const r = parseManagerPolicy({ run_agent_step: { isolation: 'BWRAP2', network: 'maybe', network_allowlist: ['http://x.com/'], sandbox_read_paths: ['opt/go'] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      'run_agent_step.isolation: must be one of bwrap, none (got "BWRAP2")',
      'run_agent_step.network: must be one of allowlist, on, off (got "maybe")',
      'run_agent_step.network_allowlist.0: must be a host name, *.domain, host:port, or [IPv6]:port (got "http://x.com/")',
      'run_agent_step.sandbox_read_paths.0: must be an absolute path (got "opt/go")',
    ]);
  });
});
