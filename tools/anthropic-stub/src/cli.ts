#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { AnthropicStubError } from './errors.js';
import { anthropicScenarioPath } from './scenario-path.js';
import { startAnthropicStub } from './start-anthropic-stub.js';

const USAGE = 'usage: agentpr-anthropic-stub --scenario <file.json | shipped-name> [--port N] [--api-key K] [--log FILE] [--var NAME=value ...]';

/** Parses the CLI arguments, starts the stub, prints its base URL and serves until SIGINT/SIGTERM. */
async function main(argv: string[]): Promise<number> {
  let values: { scenario?: string; port?: string; 'api-key'?: string; log?: string; var?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        port: { type: 'string' },
        'api-key': { type: 'string' },
        log: { type: 'string' },
        var: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.scenario) {
    process.stderr.write(`--scenario is required.\n${USAGE}\n`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer between 0 and 65535, got ${values.port}.\n`);
    return 2;
  }
  const vars: Record<string, string> = {};
  for (const pair of values.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`--var must look like NAME=value, got ${pair}.\n`);
      return 2;
    }
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const file = values.scenario.endsWith('.json') ? values.scenario : anthropicScenarioPath(values.scenario);
  const stub = await startAnthropicStub({
    scenario: file,
    vars,
    port,
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
    ...(values.log !== undefined ? { logFile: values.log } : {}),
  });
  process.stdout.write(`${stub.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stub.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof AnthropicStubError ? error.message : String(error)}\n`);
    process.exitCode = error instanceof AnthropicStubError ? 2 : 1;
  },
);
