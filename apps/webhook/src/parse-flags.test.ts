import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS, readFlagValues, resolveGlobals } from '@agentpr/app-kit';
import { parseWebhookArgs, WEBHOOK_FLAGS, WEBHOOK_HELP } from './parse-flags.js';

/** What `agentpr-webhook` makes of `argv`: the global flags resolved against `env`, and the webhook's arguments. */
function parse(argv: string[], env: Record<string, string> = {}) {
  const values = readFlagValues(argv, { ...GLOBAL_FLAGS, ...WEBHOOK_FLAGS }, { command: 'run-github-webhook', program: 'agentpr-webhook' });
  const globals = resolveGlobals(values, env);
  return { globals, args: parseWebhookArgs(values, globals) };
}

describe('parseWebhookArgs', () => {
  it('fills the data paths from AGENTPR_HOME and keeps the webhook flags; SQLite deliveries get the store file', () => {
    const { globals, args } = parse(['--port', '0', '--secret', 's', '--allow-unsigned', '--max-payload-bytes', '2048'], { AGENTPR_HOME: '/srv/agentpr' });
    expect(globals).toMatchObject({ dataDir: '/srv/agentpr', db: '/srv/agentpr/agentpr.db', databaseUrl: undefined });
    expect(args).toMatchObject({ port: 0, secret: 's', allowUnsigned: true, maxPayloadBytes: 2048, sqliteDbPath: '/srv/agentpr/agentpr.db' });
    expect(parse([], { AGENTPR_DATABASE_URL: 'postgres://h/db' }).args.sqliteDbPath).toBeUndefined();
  });

  it('--delivery-thread picks where SQLite deliveries are processed: worker or in-process, anything else a usage error', () => {
    expect(parse([]).args.deliveryThread).toBeUndefined();
    expect(parse(['--delivery-thread', 'in-process']).args.deliveryThread).toBe('in-process');
    expect(parse(['--delivery-thread=worker']).args.deliveryThread).toBe('worker');
    expect(() => parse(['--delivery-thread', 'both'])).toThrow(expect.objectContaining({ code: 'usage', message: '--delivery-thread must be worker or in-process' }));
  });

  it('rejects a bad port, a payload limit under 1024 and unknown flags with a usage error in the CLI wording', () => {
    expect(() => parse(['--port', 'http'])).toThrow(expect.objectContaining({ code: 'usage', message: '--port must be an integer, got "http"' }));
    expect(() => parse(['--port', '70000'])).toThrow(/--port must be at most 65535/);
    expect(() => parse(['--max-payload-bytes', '100'])).toThrow(/--max-payload-bytes must be at least 1024/);
    expect(() => parse(['--sekret', 'x'])).toThrow(
      expect.objectContaining({ code: 'usage', message: "run-github-webhook: Unknown option '--sekret'. Run `agentpr-webhook --help` for usage." }),
    );
  });

  it('reads the limits, trusted proxies and the metrics listener flags; leaves the policy defaults undefined', () => {
    const { args } = parse([
      '--max-connections', '64', '--max-concurrent-per-client', '8', '--max-unverified-bytes', '8388608', '--trusted-proxy', '127.0.0.1, ::1',
      '--metrics-port', '9464', '--metrics-host', '127.0.0.2', '--metrics-token', 'a-long-enough-token',
    ]);
    expect(args).toMatchObject({
      maxConnections: 64, maxConcurrentPerClient: 8, maxUnverifiedBytes: 8388608, trustedProxies: ['127.0.0.1', '::1'],
      metricsPort: 9464, metricsHost: '127.0.0.2', metricsToken: 'a-long-enough-token',
    });
    const defaults = { maxConnections: undefined, trustedProxies: undefined, metricsPort: undefined, maxPayloadBytes: undefined, auditLogFile: undefined };
    expect(parse([]).args).toMatchObject(defaults);
  });

  it('refuses a trusted proxy that is not an address, a zero cap and a short metrics token', () => {
    expect(() => parse(['--trusted-proxy', 'nginx.local'])).toThrow(/--trusted-proxy must be IP addresses/);
    expect(() => parse(['--max-concurrent-per-client', '0'])).toThrow(/--max-concurrent-per-client must be at least 1/);
    expect(() => parse(['--metrics-token', 'short'])).toThrow(/--metrics-token must be at least 16 characters/);
  });
});

describe('WEBHOOK_HELP', () => {
  it('names the CLI command it is and lists the webhook and the global flags', () => {
    expect(WEBHOOK_HELP.split('\n')[0]).toMatch(/^agentpr run-github-webhook — /);
    for (const name of ['--trusted-proxy', '--metrics-token', '--data-dir', '--database-url', '--skip-doctor']) expect(WEBHOOK_HELP).toContain(name);
  });
});
