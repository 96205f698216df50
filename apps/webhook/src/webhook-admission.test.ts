import { describe, expect, it } from 'vitest';
import { createWebhookAdmission } from './webhook-admission.js';

describe('createWebhookAdmission', () => {
  it('enter refuses a client past its concurrency cap and admits it again after leave', () => {
    const admission = createWebhookAdmission({ maxConcurrentPerClient: 2, maxUnverifiedBytes: 100, maxUnverifiedBytesPerClient: 50 });
    const a = admission.enter('a')!;
    const b = admission.enter('a')!;
    expect(admission.enter('a')).toBeUndefined();
    expect(admission.enter('b')).toBeDefined();
    a.leave();
    a.leave();
    expect(admission.enter('a')).toBeDefined();
    b.leave();
  });

  it('reserve holds the global budget and the per-client share; releaseBytes and leave return them', () => {
    const admission = createWebhookAdmission({ maxConcurrentPerClient: 10, maxUnverifiedBytes: 100, maxUnverifiedBytesPerClient: 50 });
    const a1 = admission.enter('a')!;
    expect(a1.reserve(40)).toBe(true);
    expect(admission.enter('a')!.reserve(20)).toBe(false); // share of a: 40 + 20 > 50
    const b = admission.enter('b')!;
    const c = admission.enter('c')!;
    expect(b.reserve(50)).toBe(true);
    expect(c.reserve(20)).toBe(false); // budget: 90 + 20 > 100
    expect(c.reserve(10)).toBe(true);
    expect(admission.unverifiedBytes).toBe(100);
    a1.releaseBytes();
    expect(admission.unverifiedBytes).toBe(60);
    b.leave();
    c.leave();
    expect(admission.unverifiedBytes).toBe(0);
    expect(b.reserve(1)).toBe(false);
  });
});
