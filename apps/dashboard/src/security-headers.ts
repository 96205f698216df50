import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The dashboard's Content-Security-Policy: nothing but its own scripts, styles and `fetch`/EventSource, images from
 * itself or `data:`, forms posted only to itself, never framed, no `<base>`. No inline script or style is allowed,
 * so pages carry none (chart sizes are SVG attributes, behaviour is in `/assets/live.*.js`).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** `Cache-Control` of everything but the content-hashed assets: pages show live data and may hold private text. */
export const NO_STORE = 'no-store';

/** `Cache-Control` of a content-hashed asset: its URL changes with its content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const secure = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: 'DENY',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the sign-in form's POST, which
  // the same-origin check must refuse; links to GitHub still carry no referrer.
  referrerPolicy: 'same-origin',
  xContentTypeOptions: 'nosniff',
  crossOriginResourcePolicy: 'same-origin',
  crossOriginOpenerPolicy: 'same-origin',
  // The dashboard is often plain http on loopback; HSTS belongs to the TLS proxy in front of it, not here.
  strictTransportSecurity: false,
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
});

/**
 * Sets the security headers on every answer, pages, errors, redirects and the live stream alike (hono's
 * `secureHeaders` with the policy above), and `Cache-Control: no-store` on all but a found hashed asset.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await secure(c, async () => {
      await next();
    });
    const asset = c.req.path.startsWith('/assets/') && c.res.status === 200;
    if (!asset) c.res.headers.set('Cache-Control', NO_STORE);
  };
}
