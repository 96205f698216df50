import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '../../temp-dir.js';
import { scriptedCodex } from '../scripted-codex.js';

afterAll(() => cleanupTempDirs());

/** Runs the scripted codex with `stdin` as the prompt; `onStdout` sees each chunk (to kill a hanging one). */
function codex(args: string[], stdin: string, env: Record<string, string> = {}, onStdout?: (text: string, kill: () => void) => void) {
  const { bin, env: codexEnv } = scriptedCodex();
  return new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH ?? '', ...codexEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, () => child.kill('SIGKILL'));
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout }));
    child.stdin.end(stdin);
  });
}

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; item?: Record<string, unknown> });

describe('scripted codex', () => {
  it('answers --version like codex-cli 0.169.0', async () => {
    expect((await codex(['--version'], '')).stdout).toBe('codex-cli 0.169.0\n');
  });

  it('exec --json appends one numbered line per round, reports a passing npm test and writes Status: PASS as its last message', async () => {
    const dir = tempDir();
    const last = join(dir, 'last.txt');
    const args = ['exec', '--json', '--sandbox', 'workspace-write', '--output-last-message', last, '-C', dir, '-'];
    const first = await codex(args, 'Do the task.\n');
    expect(first.code).toBe(0);
    const second = await codex(args, 'Do the task.\n');
    expect(readFileSync(join(dir, 'src', 'scripted-change.js'), 'utf8')).toBe('export const scriptedChange1 = 1;\nexport const scriptedChange2 = 2;\n');
    const types = events(second.stdout).map((e) => `${e.type}${e.item ? `:${String(e.item.type)}` : ''}`);
    expect(types).toEqual(['thread.started', 'turn.started', 'item.started:file_change', 'item.completed:file_change', 'item.started:command_execution', 'item.completed:command_execution', 'item.completed:agent_message', 'turn.completed']);
    expect(events(second.stdout)[5]?.item).toMatchObject({ command: "/bin/bash -c 'npm test'", exit_code: 0 });
    expect(readFileSync(last, 'utf8')).toMatch(/^Status: PASS\nAppended scriptedChange2/);
  });

  it('hangs in its test command when SCRIPTED_CODEX_MODE=hang or the prompt says so, until killed', async () => {
    const dir = tempDir();
    const args = ['exec', '--json', '-C', dir, '-'];
    const started = (text: string, kill: () => void) => text.includes('"item.started"') && kill();
    for (const run of [codex(args, 'x', { SCRIPTED_CODEX_MODE: 'hang' }, started), codex(args, 'Task.\nscripted-codex: hang\n', {}, started)]) {
      const result = await run;
      expect(result.signal).toBe('SIGKILL');
      expect(events(result.stdout).at(-1)).toMatchObject({ type: 'item.started', item: { type: 'command_execution', status: 'in_progress' } });
    }
  });
});
