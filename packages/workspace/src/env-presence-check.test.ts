import { describe, expect, it } from 'vitest';
import { envPresenceCheck } from './checks.js';

describe('envPresenceCheck', () => {
  it('passes a real value, fails a blank one and an unedited CHANGE_ME placeholder', () => {
    expect(envPresenceCheck('S', { S: 'abc' })).toEqual({ ok: true, detail: 'present' });
    expect(envPresenceCheck('S', { S: '  ' })).toEqual({ ok: false, detail: 'missing' });
    expect(envPresenceCheck('S', {})).toEqual({ ok: false, detail: 'missing' });
    expect(envPresenceCheck('S', { S: 'CHANGE_ME_webhook_secret' })).toMatchObject({ ok: false });
  });
});
