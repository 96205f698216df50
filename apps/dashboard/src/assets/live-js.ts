/**
 * The live-update script, plain ES2020 served from `/assets/` (the CSP allows no inline code). On a page whose
 * `<main>` has `data-live` it opens an EventSource on `/live`; on each `runs` event it fetches the same URL with
 * `fragment=main` and swaps `<main>`'s content only when the answer is 200 `text/html`, keeping the scroll position
 * and the focused element, then says "Updated HH:MM:SS" in the polite status region. It backs off (1 s doubling to
 * 60 s) when the stream fails and refreshes once it is back, closes the stream while the tab is hidden (and
 * refreshes once when it is shown), and
 * never swaps while a form field inside `<main>` has focus (it waits for the field to lose it).
 *
 * Kept as a string: the dashboard compiles without the DOM library, and the browser tests run this exact text.
 */
export const LIVE_JS = `(() => {
  'use strict';
  const main = document.getElementById('main');
  if (!main || !main.hasAttribute('data-live') || typeof EventSource !== 'function' || typeof fetch !== 'function') return;
  const status = document.getElementById('live-status');
  const MIN_RETRY_MS = 1000;
  const MAX_RETRY_MS = 60000;
  let source = null;
  let retryMs = MIN_RETRY_MS;
  let retryTimer = 0;
  let inFlight = false;
  let again = false;
  let deferred = false;
  let reconnecting = false;

  const pad = (n) => String(n).padStart(2, '0');
  const clock = (d) => pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());

  function connect() {
    if (source || document.hidden) return;
    source = new EventSource('/live');
    source.addEventListener('open', () => {
      retryMs = MIN_RETRY_MS;
      // Back after a failure: runs may have moved while the stream was down.
      if (reconnecting) refresh();
      reconnecting = false;
    });
    source.addEventListener('runs', () => refresh());
    source.addEventListener('error', () => {
      disconnect();
      reconnecting = true;
      if (document.hidden) return;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  function editing() {
    const el = document.activeElement;
    return !!el && main.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function refresh() {
    if (inFlight) { again = true; return; }
    if (editing()) {
      if (!deferred) {
        deferred = true;
        main.addEventListener('focusout', () => { deferred = false; setTimeout(refresh, 0); }, { once: true });
      }
      return;
    }
    inFlight = true;
    const url = new URL(location.pathname + location.search, location.href);
    url.searchParams.set('fragment', 'main');
    fetch(url.pathname + url.search, { headers: { Accept: 'text/html' }, credentials: 'same-origin', cache: 'no-store', redirect: 'manual' })
      .then((res) => {
        const type = res.headers.get('content-type') || '';
        return res.status === 200 && type.toLowerCase().startsWith('text/html') ? res.text() : null;
      })
      .then((html) => { if (html !== null) swap(html); })
      .catch(() => undefined)
      .then(() => {
        inFlight = false;
        if (again) { again = false; refresh(); }
      });
  }

  function focusKey(el) {
    if (!el || el === main || !main.contains(el)) return null;
    if (el.id) return '#' + CSS.escape(el.id);
    const href = el.getAttribute('href');
    if (href) return el.tagName.toLowerCase() + '[href="' + CSS.escape(href) + '"]';
    const name = el.getAttribute('name');
    if (name) return el.tagName.toLowerCase() + '[name="' + CSS.escape(name) + '"]';
    return null;
  }

  function swap(html) {
    const x = window.scrollX;
    const y = window.scrollY;
    const active = document.activeElement;
    const hadFocus = !!active && main.contains(active);
    const key = focusKey(active);
    const doc = new DOMParser().parseFromString('<!doctype html><body>' + html, 'text/html');
    // Copied out first: childNodes is live, and adopting a node removes it from it, so adopting while iterating it
    // would skip every other node (the runs page lost its counts and table on each update).
    const nodes = Array.from(doc.body.childNodes);
    main.replaceChildren(...nodes.map((n) => document.adoptNode(n)));
    if (hadFocus) {
      const target = key ? main.querySelector(key) : null;
      (target || main).focus({ preventScroll: true });
    }
    window.scrollTo(x, y);
    if (status) status.textContent = 'Updated ' + clock(new Date());
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      clearTimeout(retryTimer);
      disconnect();
    } else {
      retryMs = MIN_RETRY_MS;
      reconnecting = false;
      connect();
      refresh();
    }
  });
  connect();
})();
`;
