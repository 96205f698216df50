import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioFile, substituteScenarioVars, substituteVars, type ScenarioBlock } from '../scenario.js';
import { ANTHROPIC_SCENARIO_NAMES, anthropicScenarioPath } from '../scenario-path.js';
import { startAnthropicStub, type RunningAnthropicStub } from '../start-anthropic-stub.js';
import { parseSse, rebuildMessage, type RebuiltMessage } from './read-sse.js';

// Each shipped scenario played over HTTP, step by step, the way Claude Code drives it: the request after k assistant
// turns gets step k. No claude binary is needed (tools/scripts/capture-claude-streams.mjs runs the real one).

const stubs: RunningAnthropicStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

const CWD = '/srv/agent/ws';
const HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' };
const TOOLS = ['Agent', 'Bash', 'Edit', 'Read', 'Write'].map((name) => ({ name, input_schema: { type: 'object' } }));

function request(turns: number): string {
  const messages: unknown[] = [{ role: 'user', content: [{ type: 'text', text: `<system-reminder>\n - Primary working directory: ${CWD}\n</system-reminder>` }] }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `turn ${i}` }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_stub_${i}_0`, content: 'ok' }] });
  }
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, messages, tools: TOOLS });
}

async function play(stub: RunningAnthropicStub, turns: number): Promise<RebuiltMessage> {
  const response = await fetch(`${stub.url}/v1/messages?beta=true`, { method: 'POST', headers: HEADERS, body: request(turns) });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return rebuildMessage(parseSse(await response.text()));
}

/** The blocks a client should see for scripted blocks, with the stub's tool_use ids. */
function expected(blocks: readonly ScenarioBlock[], step: number): unknown[] {
  return blocks.map((b, i) => (b.type === 'text' ? b : { type: 'tool_use', id: `toolu_stub_${step}_${i}`, name: b.name, input: b.input }));
}

function commands(blocks: readonly ScenarioBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'tool_use' && b.name === 'Bash' ? [String(b.input.command)] : []));
}

describe('shipped scenarios over HTTP', () => {
  it.each(ANTHROPIC_SCENARIO_NAMES.filter((n) => n !== 'hang'))('%s: every step streams what the scenario scripts, with {{CWD}} filled from the request', async (name) => {
    const stub = await startAnthropicStub({ scenario: anthropicScenarioPath(name) });
    stubs.push(stub);
    const steps = substituteVars(stub.scenario.steps, { CWD });
    for (const [k, step] of steps.entries()) {
      const message = await play(stub, k);
      switch (step.kind) {
        case 'reply':
          expect(message).toMatchObject({ content: expected(step.content, k), stopped: true, error: null });
          expect(message.stop_reason).toBe(step.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
          expect(message.usage).toMatchObject({ input_tokens: step.usage?.input_tokens, output_tokens: step.usage?.output_tokens });
          break;
        case 'stream_error':
          expect(message).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' }, stopped: false, content: expected(step.content ?? [], k) });
          break;
        default:
          throw new Error(`unexpected step kind ${step.kind} in ${name}`);
      }
    }
    expect(JSON.stringify(stub.requests.map((r) => r.toolResults))).not.toContain('{{');
    expect(stub.requests.every((r) => r.outcome === 'reply' || r.outcome === 'stream_error')).toBe(true);
  });

  it('hang: one command, then a response that never ends', async () => {
    const stub = await startAnthropicStub({ scenario: anthropicScenarioPath('hang') });
    stubs.push(stub);
    expect(commands((await play(stub, 0)).content as ScenarioBlock[])).toEqual(['echo build started']);
    const response = await fetch(`${stub.url}/v1/messages`, { method: 'POST', headers: HEADERS, body: request(1) });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message_start');
    expect(first).not.toContain('message_stop');
    await stub.close();
    expect(stub.requests.map((r) => r.outcome)).toEqual(['reply', 'hang']);
  });

  it('the scripted tasks: pass and fail-then-pass end PASS after npm test, tests-fail ends FAIL, attempted-push pushes, write-outside leaves the workspace', () => {
    const load = (name: string): ScenarioBlock[] => substituteVars(substituteScenarioVars(loadScenarioFile(anthropicScenarioPath(name))).steps, { CWD })
      .flatMap((s) => (s.kind === 'reply' ? s.content : []));
    const finalText = (blocks: ScenarioBlock[]): string => {
      const last = blocks.at(-1);
      return last?.type === 'text' ? last.text : '';
    };
    for (const name of ['pass', 'fail-then-pass']) {
      expect(commands(load(name))).toContain('npm test');
      expect(finalText(load(name))).toMatch(/^Status: PASS/);
    }
    expect(finalText(load('tests-fail'))).toMatch(/^Status: FAIL/);
    expect(commands(load('attempted-push'))).toContain('git push origin HEAD');
    const outside = load('write-outside');
    expect(outside.some((b) => b.type === 'tool_use' && b.name === 'Write' && String(b.input.file_path).startsWith('/var/tmp/agentpr-outside/'))).toBe(true);
    expect(commands(outside).join()).toContain('> /var/tmp/agentpr-outside/escaped-bash.txt');
    for (const name of ANTHROPIC_SCENARIO_NAMES) {
      for (const b of load(name)) if (b.type === 'tool_use' && b.name !== 'Bash' && name !== 'write-outside') expect(String(b.input.file_path)).toMatch(/^\/srv\/agent\/ws\//);
    }
  });
});
