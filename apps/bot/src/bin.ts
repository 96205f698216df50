#!/usr/bin/env node
import { stopSignal } from '@agentpr/manager-loop-app';
import { main } from './main.js';

// SIGTERM: finish the update in hand, keep the offset, exit 0. SIGINT: the same, exit 130. A second signal exits now.
const signal = stopSignal();
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agentpr-bot: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
