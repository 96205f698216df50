#!/usr/bin/env node
import { runMain } from '@agentpr/app-kit';
import { main } from '../main.js';

// SIGINT/SIGTERM abort the running command (a second signal exits 130); Ctrl-C exits 130.
runMain('agentpr', main);
