#!/usr/bin/env node
import { main } from './main.js';
import { stopSignal } from './service-main.js';

// SIGTERM: no new work, running actions get --shutdown-grace-sec, exit 0. SIGINT: the same, exit 130. A second signal exits now.
const signal = stopSignal();
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agentpr-manager: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
