import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes in a confirm token: 128 bits (at least 64 bits make guessing impractical). */
export const CONFIRM_TOKEN_BYTES = 16;

/** A new confirm token: 32 upper-case hex characters. Show it once; store only {@link hashConfirmToken}. */
export function newConfirmToken(): string {
  return randomBytes(CONFIRM_TOKEN_BYTES).toString('hex').toUpperCase();
}

/** Hex SHA-256 of the token as typed: trimmed and upper-cased. */
export function hashConfirmToken(token: string): string {
  return createHash('sha256').update(token.trim().toUpperCase(), 'utf8').digest('hex');
}

/** Whether `token` hashes to `storedSha256`, compared in constant time. */
export function confirmTokenMatches(token: string, storedSha256: string): boolean {
  const given = Buffer.from(hashConfirmToken(token), 'hex');
  const stored = Buffer.from(storedSha256.trim().toLowerCase(), 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}
