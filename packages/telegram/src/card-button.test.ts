import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_LIMIT, decodeButtonData, decodeCardButton, encodeCardButton } from './chat-client.js';

describe('approval card buttons', () => {
  it('encodeCardButton round-trips every step through decodeCardButton within the 64-byte limit', () => {
    for (const step of ['approve', 'confirm', 'reject', 'cancel'] as const) {
      const data = encodeCardButton(step, 'Zq3x9LmP0aBc-_12');
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
      expect(decodeCardButton(data)).toEqual({ step, cardId: 'Zq3x9LmP0aBc-_12' });
      expect(decodeButtonData(data)).toBeNull();
    }
  });

  it('decodeCardButton refuses anything else: run buttons, unknown steps, short or odd ids', () => {
    for (const data of ['approve:run_1', 'card:z:Zq3x9LmP0aBc', 'card:a:short', 'card:a:has space here', 'card:a:Zq3x9LmP0aBc:extra', '']) {
      expect(decodeCardButton(data), data).toBeNull();
    }
    expect(() => encodeCardButton('approve', 'bad id')).toThrow(TypeError);
  });
});
