#!/usr/bin/env node
import { runMain } from '@agentpr/app-kit';
import { main } from './main.js';

// SIGTERM: no new work, running actions get --shutdown-grace-sec, exit 0. SIGINT: the same, exit 130. A second signal exits now.
runMain('agentpr-manager', main);
