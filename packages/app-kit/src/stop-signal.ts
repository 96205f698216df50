/** Installs SIGINT/SIGTERM handlers that abort the returned signal with the signal's name; a second signal exits 130. */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  let signals = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      signals++;
      if (signals > 1) process.exit(130);
      controller.abort(sig);
    });
  }
  return controller.signal;
}
