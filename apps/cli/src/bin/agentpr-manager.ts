#!/usr/bin/env node
// `agentpr-manager [flags]` is `agentpr run-manager-loop [flags]`: one binary per service for process managers.
import { runBin } from './run-bin.js';

runBin(['run-manager-loop', ...process.argv.slice(2)]);
