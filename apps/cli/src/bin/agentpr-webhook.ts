#!/usr/bin/env node
// `agentpr-webhook [flags]` is `agentpr run-github-webhook [flags]`: one binary per service for process managers.
import { runBin } from './run-bin.js';

runBin(['run-github-webhook', ...process.argv.slice(2)]);
