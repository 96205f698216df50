import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from './verify-signature.js';

const hmac = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const body = JSON.stringify({ zen: 'Keep it logically awesome.' });

describe('verifyWebhookSignature', () => {
  it('verifyWebhookSignature accepts GitHub\'s signature with the current secret', async () => {
    expect(await verifyWebhookSignature({ secrets: ['s3cret'], body, signature: hmac('s3cret', body) })).toBe(true);
  });

  it('verifyWebhookSignature accepts the previous secret during a rotation and refuses an unknown one', async () => {
    const signature = hmac('old', body);
    expect(await verifyWebhookSignature({ secrets: ['new', 'old'], body, signature })).toBe(true);
    expect(await verifyWebhookSignature({ secrets: ['new'], body, signature })).toBe(false);
  });

  it('verifyWebhookSignature refuses a missing, malformed, truncated or tampered signature', async () => {
    const good = hmac('s', body);
    for (const signature of [undefined, '', 'sha1=abc', good.slice(0, -2), good.replace('sha256=', 'sha256=0'), hmac('s', `${body} `)]) {
      expect(await verifyWebhookSignature({ secrets: ['s'], body, signature })).toBe(false);
    }
  });

  it('verifyWebhookSignature without a secret refuses everything', async () => {
    expect(await verifyWebhookSignature({ secrets: [], body, signature: hmac('', body) })).toBe(false);
  });

  it('signWebhookPayload produces what GitHub sends', async () => {
    expect(await signWebhookPayload('k', body)).toBe(hmac('k', body));
  });
});
