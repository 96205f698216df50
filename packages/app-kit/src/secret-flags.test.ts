import { describe, expect, it } from 'vitest';
import { secretFlagValues } from './secret-flags.js';

describe('secretFlagValues', () => {
  it('finds every secret flag value in both spellings, and nothing after --', () => {
    const argv = ['--secret', 'a1', '--previous-secret=b2', '--telegram-token', 'c3', '--metrics-token=m4', '--database-url=postgres://u:p@h/d', '--owner', 'x', '--', '--secret', 'no'];
    expect(Object.values(secretFlagValues(argv))).toEqual(['a1', 'b2', 'c3', 'm4', 'postgres://u:p@h/d']);
  });
});
