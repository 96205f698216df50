import { describe, expect, it } from 'vitest';
import { splitCommandLine } from './split-command-line.js';

describe('splitCommandLine', () => {
  it('splits on runs of whitespace', () => {
    expect(splitCommandLine('  agentpr   doctor\t--require-codex ')).toEqual(['agentpr', 'doctor', '--require-codex']);
  });

  it('keeps a double-quoted script as one word and unescapes \\" inside it', () => {
    expect(splitCommandLine('/bin/sh -c "a --x \\"$Y\\" && exec b"')).toEqual(['/bin/sh', '-c', 'a --x "$Y" && exec b']);
  });

  it('keeps single-quoted text literally, backslashes included', () => {
    expect(splitCommandLine("echo 'a \\\" b' c")).toEqual(['echo', 'a \\" b', 'c']);
  });

  it('joins adjacent quoted and unquoted parts into one word and keeps ${VAR} literal', () => {
    expect(splitCommandLine('--id=${ID}"x y"z')).toEqual(['--id=${ID}x yz']);
  });

  it('throws on an unclosed quote', () => {
    expect(() => splitCommandLine('sh -c "agentpr doctor')).toThrow(/unclosed double quote/);
  });
});
