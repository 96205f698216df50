#!/usr/bin/env node
import { runMain } from '@agentpr/app-kit';
import { main } from './main.js';

// SIGTERM: stop serving, exit 0. SIGINT: the same, exit 130.
runMain('agentpr-dashboard', main);
