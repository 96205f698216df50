#!/usr/bin/env node
import { runBin } from './run-bin.js';

runBin(process.argv.slice(2));
