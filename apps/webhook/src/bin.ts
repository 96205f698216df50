#!/usr/bin/env node
import { runMain } from '@agentpr/app-kit';
import { main } from './main.js';

// SIGTERM: graceful stop (finish in-flight, refuse new), exit 0. SIGINT: the same, exit 130. A second signal exits now.
runMain('agentpr-webhook', main);
