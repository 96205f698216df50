#!/usr/bin/env node
// `agentpr-bot [flags]` is `agentpr run-telegram-bot [flags]`: one binary per service for process managers.
import { runBin } from './run-bin.js';

runBin(['run-telegram-bot', ...process.argv.slice(2)]);
