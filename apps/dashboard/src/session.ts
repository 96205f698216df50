import { createHmac, createHash, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. */
export const SESSION_COOKIE = 'agentpr_dashboard_session';

/** How long a sign-in lasts: 12 hours. */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

function mac(token: string, issued: number): string {
  return createHmac('sha256', token).update(`agentpr-dashboard-session:v1:${issued}`).digest('base64url');
}

/**
 * A session cookie value: the sign-in time and an HMAC of it keyed with the token (`<seconds>.<mac>`). It proves
 * the holder knew the token without holding it; a new token invalidates every session.
 */
export function sessionValue(token: string, now: Date): string {
  const issued = Math.floor(now.getTime() / 1000);
  return `${issued}.${mac(token, issued)}`;
}

/** Whether `value` is a session made with `token` in the last {@link SESSION_MAX_AGE_S} (compared in constant time). */
export function sessionValid(value: string | undefined, token: string, now: Date): boolean {
  const m = value === undefined ? null : /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const issued = Number(m[1]);
  const age = now.getTime() / 1000 - issued;
  if (age < -60 || age > SESSION_MAX_AGE_S) return false;
  return timingSafeEqual(Buffer.from(m[2]!), Buffer.from(mac(token, issued)));
}

/** Whether `candidate` is the token, in constant time whatever the lengths (both are hashed first). */
export function tokenMatches(candidate: string, token: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
