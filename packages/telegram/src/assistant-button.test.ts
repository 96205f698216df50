import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_LIMIT, decodeAssistantButton, decodeButtonData, decodeCardButton, encodeAssistantButton } from './chat-client.js';

describe('assistant action buttons', () => {
  it('encodeAssistantButton round-trips confirm and cancel through decodeAssistantButton within the 64-byte limit', () => {
    const token = randomBytes(16).toString('base64url');
    for (const choice of ['confirm', 'cancel'] as const) {
      const data = encodeAssistantButton(choice, token);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
      expect(decodeAssistantButton(data)).toEqual({ choice, token });
      expect(decodeCardButton(data)).toBeNull();
      expect(decodeButtonData(data)).toBeNull();
    }
    expect(Buffer.byteLength(encodeAssistantButton('confirm', 'A'.repeat(40)))).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
  });

  it('decodeAssistantButton refuses anything else: card and run buttons, unknown choices, short or odd tokens', () => {
    for (const data of ['card:c:Zq3x9LmP0aBc', 'pause:run_1', 'ai:z:q3Zx9LmP0aBc-_12q3Zx9L', 'ai:c:short', `ai:c:${'A'.repeat(41)}`, 'ai:c:has space in the token', 'ai:c:q3Zx9LmP0aBc-_12q3Zx9L:x', '']) {
      expect(decodeAssistantButton(data), data).toBeNull();
    }
    expect(() => encodeAssistantButton('confirm', 'bad token')).toThrow(TypeError);
  });
});
