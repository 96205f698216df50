#!/usr/bin/env node
import { runMain } from '@agentpr/app-kit';
import { main } from './main.js';

// SIGTERM: finish the update in hand, keep the offset, exit 0. SIGINT: the same, exit 130. A second signal exits now.
runMain('agentpr-bot', main);
