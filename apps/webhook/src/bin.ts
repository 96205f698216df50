#!/usr/bin/env node
import { main } from './main.js';

// SIGTERM: graceful stop (finish in-flight, refuse new), exit 0. SIGINT: the same, exit 130. A second signal exits now.
const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals++;
    if (signals > 1) process.exit(130);
    controller.abort(sig);
  });
}
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agentpr-webhook: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
