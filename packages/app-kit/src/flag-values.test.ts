import { describe, expect, it } from 'vitest';
import { choice, flag, int, list, num, requireInt, requireStr, str } from './flag-values.js';

const usage = (message: string) => expect.objectContaining({ name: 'AgentprError', code: 'usage', message });

describe('the flag value parsers (one set for the CLI and the service binaries)', () => {
  it('str, flag and list read what parseArgs gives, nothing else', () => {
    const values = { a: 'x', b: true, c: ['1', '2'], d: undefined };
    expect([str(values, 'a'), str(values, 'b'), flag(values, 'b'), flag(values, 'a')]).toEqual(['x', undefined, true, false]);
    expect([list(values, 'c'), list(values, 'a'), list(values, 'd')]).toEqual([['1', '2'], ['x'], []]);
  });

  it('int checks the form and the bounds and names the flag and the value', () => {
    expect(int({ n: ' 42 ' }, 'n', { min: 1 })).toBe(42);
    expect(int({}, 'n', { default: 7 })).toBe(7);
    expect(() => int({ n: '4.5' }, 'n')).toThrow(usage('--n must be an integer, got "4.5"'));
    expect(() => int({ n: '0' }, 'n', { min: 1 })).toThrow(usage('--n must be at least 1, got 0'));
    expect(() => int({ n: '70000' }, 'n', { max: 65535 })).toThrow(usage('--n must be at most 65535, got 70000'));
    expect(() => requireInt({}, 'n')).toThrow(usage('--n is required'));
  });

  it('num, requireStr and choice refuse what they cannot use', () => {
    expect(num({ x: '2.5' }, 'x', { min: 0 })).toBe(2.5);
    expect(() => num({ x: 'abc' }, 'x')).toThrow(usage('--x must be a number, got "abc"'));
    expect(() => requireStr({ s: '  ' }, 's')).toThrow(usage('--s is required'));
    expect(choice({ isolation: ' BWRAP ' }, 'isolation', ['bwrap', 'none'] as const)).toBe('bwrap');
    expect(() => choice({ isolation: 'docker' }, 'isolation', ['bwrap', 'none'])).toThrow(usage('--isolation must be one of bwrap, none, got "docker"'));
  });
});
