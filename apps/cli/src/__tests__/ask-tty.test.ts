import { spawnSync } from 'node:child_process';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startLlmStub, type LlmScenarioInput, type RunningLlmStub } from '@agentpr/llm-stub';
import { cleanupTempDirs, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { BIN, CANARY_KEY, cliFor, seedRuns, statesOf, STUB_MODEL } from './ask-harness.js';

// Issue 16, the CLI door on a terminal: `agentpr ask` under a pseudo-terminal from script(1), answered the way a
// person types (y/N, an ask> session, Ctrl-C). Each keystroke is sent only once the prompt it answers is on screen.

afterAll(() => cleanupTempDirs());

const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/** The CLI under a terminal: what it printed so far, a way to type, and a wait for text to appear. */
interface Terminal {
  screen(): string;
  type(text: string): void;
  waitFor(text: string | RegExp, after?: number): Promise<number>;
  done: ResultPromise;
}

function underTerminal(db: TestDatabase, home: string, args: string[]): Terminal {
  const command = [process.execPath, BIN, ...db.cliArgs, '--data-dir', home, ...args].map(quote).join(' ');
  const done = execa('script', ['-qec', command, '/dev/null'], {
    reject: false,
    stdin: 'pipe',
    timeout: 60_000,
    env: { AGENTPR_LLM_API_KEY: CANARY_KEY, AGENTPR_LLM_BASE_URL: '', AGENTPR_LLM_MODEL: '', TERM: 'dumb' },
  });
  let output = '';
  const waiters = new Set<() => void>();
  done.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  return {
    screen: () => output,
    type: (text) => done.stdin!.write(text),
    waitFor(text, after = 0) {
      const find = () => {
        const rest = output.slice(after);
        const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        return at < 0 ? -1 : after + at + (typeof text === 'string' ? text.length : 1);
      };
      return new Promise((resolve, reject) => {
        const check = () => {
          const at = find();
          if (at >= 0) {
            waiters.delete(check);
            resolve(at);
          }
        };
        waiters.add(check);
        check();
        void done.then(() => {
          if (find() < 0) reject(new Error(`the CLI ended before ${String(text)} appeared:\n${output}`));
        });
      });
    },
    done,
  };
}

describe.skipIf(!HAS_SCRIPT)('agentpr ask on a terminal (issue 16)', () => {
  let db: TestDatabase | undefined;
  let stub: RunningLlmStub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
    await db?.drop();
    db = undefined;
  });

  async function setUp(scenario: string | LlmScenarioInput, vars: Record<string, string> = {}) {
    db = await freshDatabase('sqlite');
    const home = tempDir('agentpr-ask-tty-');
    expect((await cliFor(db, home)(['init-db'])).code).toBe(0);
    const runs = await seedRuns(db, home);
    stub = await startLlmStub({ scenario, apiKey: CANARY_KEY, vars: { RUN_ID: runs.active, ...vars } });
    return { db, home, runs, stub, llm: ['--llm-base-url', stub.url, '--llm-model', STUB_MODEL] };
  }

  it('a write is asked as y/N after the reply: "n" cancels it and the run stays; "y" runs it', async () => {
    const { db, home, runs, llm } = await setUp('pause-run');
    const no = underTerminal(db, home, ['ask', 'pause alpha', ...llm]);
    const asked = await no.waitFor(`pause ${runs.active} (octo/alpha)`);
    await no.waitFor('? [y/N] ', asked);
    expect(no.screen()).toContain(`I asked to pause ${runs.active}`);
    no.type('n\r');
    const cancelled = await no.done;
    expect(cancelled.exitCode, no.screen()).toBe(0);
    expect(no.screen()).toMatch(/cancel/i);
    expect((await statesOf(db, [runs.active]))[runs.active]).toBe('DISCOVERY');

    const yes = underTerminal(db, home, ['ask', 'pause alpha', ...llm]);
    await yes.waitFor('? [y/N] ');
    yes.type('y\r');
    const confirmed = await yes.done;
    expect(confirmed.exitCode, yes.screen()).toBe(0);
    expect(yes.screen()).toContain('PAUSED');
    expect((await statesOf(db, [runs.active]))[runs.active]).toBe('PAUSED');
  });

  it('without a question: an ask> session keeps its history, Ctrl-C stops the turn in flight, an empty line ends it', async () => {
    const scenario: LlmScenarioInput = {
      name: 'session',
      model: STUB_MODEL,
      turns: [
        { match: 'hang', steps: [{ kind: 'hang' }] },
        { match: 'again', steps: [{ kind: 'reply', content: 'second answer' }] },
        { steps: [{ kind: 'tool_calls', calls: [{ name: 'list_runs', arguments: { limit: 5 } }] }, { kind: 'reply', content: 'first answer:\n{{tool_results}}' }] },
      ],
    };
    const { db, home, stub, llm } = await setUp(scenario);
    const session = underTerminal(db, home, ['ask', ...llm]);
    let at = await session.waitFor('ask> ');
    session.type('which runs are there?\r');
    at = await session.waitFor('first answer:', at);
    // The reply may reach the terminal in more than one chunk: wait for the store's data, don't read the screen now.
    at = await session.waitFor('octo/alpha', at);
    at = await session.waitFor('ask> ', at);

    session.type('please hang\r');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stub.requests.some((q) => JSON.stringify(q.messages).includes('please hang'))) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    session.type('\u0003');
    at = await session.waitFor('stopped; nothing was run', at);
    at = await session.waitFor('ask> ', at);

    session.type('and again?\r');
    at = await session.waitFor('second answer', at);
    const last = stub.requests.at(-1)!;
    expect(JSON.stringify(last.messages)).toContain('which runs are there?');
    expect(JSON.stringify(last.messages)).not.toContain('please hang');
    await session.waitFor('ask> ', at);
    session.type('\r');
    const ended = await session.done;
    expect(ended.exitCode, session.screen()).toBe(0);
  });
});
