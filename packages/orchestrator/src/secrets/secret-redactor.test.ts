import { describe, expect, it } from 'vitest';
import { createSecretRedactor, REDACTED } from './secret-redactor.js';
import { redactorFor } from './redactor-for.js';

const GH = 'ghp_CanaryGithubToken0123456789';
const TG = '123456789:AAFcanaryTelegramBotToken_xyz';
const HOOK = 'canary-webhook-secret-42';
const HOOK_OLD = 'canary-webhook-secret-OLD';
const OPENAI = 'sk-canaryOpenAiKey0123456789abcdef';

describe('createSecretRedactor', () => {
  it.each([
    ['GITHUB_TOKEN', GH],
    ['GH_TOKEN', GH],
    ['AGENTPR_TELEGRAM_BOT_TOKEN', TG],
    ['AGENTPR_GITHUB_WEBHOOK_SECRET', HOOK],
    ['AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS', HOOK_OLD],
    ['AGENTPR_WEBHOOK_METRICS_TOKEN', 'metrics-canary-token'],
    ['OPENAI_API_KEY', OPENAI],
    ['CODEX_API_KEY', 'codex-canary-key-123'],
    ['ANTHROPIC_API_KEY', 'sk-ant-canary-0123456789'],
    ['MY_PROVIDER_API_KEY', 'provider-canary-key'],
    ['DEPLOY_PRIVATE_KEY', '-----BEGIN canary-----'],
    ['AWS_SECRET_ACCESS_KEY', 'aws/canary+secret=key'],
    ['SMTP_PASSWORD', 'hunter2hunter2'],
  ])('redacts the value of %s wherever it appears', (name, value) => {
    const redactor = createSecretRedactor({ [name]: value, PATH: '/usr/bin' });
    expect(redactor.values).toBe(1);
    expect(redactor.redact(`before ${value} middle ${value}after`)).toBe(`before ${REDACTED} middle ${REDACTED}after`);
  });

  it('redacts the password of a database URL, decoded and as written, but not the rest of the URL', () => {
    const redactor = createSecretRedactor({ AGENTPR_DATABASE_URL: 'postgres://agentpr:p%40ss-w0rd-canary@db.internal:5432/agentpr' });
    expect(redactor.values).toBe(2);
    expect(redactor.redact('login p@ss-w0rd-canary failed')).toBe('login *** failed');
    expect(redactor.redact('url postgres://agentpr:p%40ss-w0rd-canary@db.internal:5432/agentpr')).toBe('url postgres://agentpr:***@db.internal:5432/agentpr');
    expect(redactor.redact('agentpr on db.internal')).toBe('agentpr on db.internal');
  });

  it('redacts a URL password in text even when it is short, unknown, or the common word "postgres"', () => {
    const redactor = createSecretRedactor({ DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1/db' });
    expect(redactor.values).toBe(0);
    expect(redactor.redact('postgres://postgres:postgres@127.0.0.1/db and https://x-access-token:abc@github.com/o/r.git')).toBe(
      'postgres://postgres:***@127.0.0.1/db and https://x-access-token:***@github.com/o/r.git',
    );
    expect(redactor.redact('http://host:8080/path@x and git@github.com:o/r.git')).toBe('http://host:8080/path@x and git@github.com:o/r.git');
  });

  it('redacts the URL-encoded and the JSON-escaped forms of a value', () => {
    const value = 'canary/secret+with "quote"';
    const redactor = createSecretRedactor({ AGENTPR_GITHUB_WEBHOOK_SECRET: value });
    expect(redactor.redact(`?s=${encodeURIComponent(value)}&x=1`)).toBe(`?s=${REDACTED}&x=1`);
    expect(redactor.redact(JSON.stringify({ s: value }))).toBe(`{"s":"${REDACTED}"}`);
  });

  it('leaves no visible tail when secrets overlap or one contains another', () => {
    const redactor = createSecretRedactor({ A_TOKEN: 'AAAABBBBCCCC', B_TOKEN: 'CCCCDDDDEEEE', C_TOKEN: 'AAAABBBBCCCCXX' });
    expect(redactor.redact('x AAAABBBBCCCCDDDDEEEE y')).toBe(`x ${REDACTED} y`);
    expect(redactor.redact('x AAAABBBBCCCCXX y AAAABBBBCCCC z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it('ignores short, common or non-secret values, so ordinary output is untouched', () => {
    const redactor = createSecretRedactor({
      GITHUB_TOKEN: 'abc',
      SHORT_SECRET: '1234567',
      DB_PASSWORD: 'password',
      EMPTY_TOKEN: '        ',
      HOME: '/home/operator-with-long-name',
      AGENTPR_HOME: '/srv/agentpr-data',
      GITHUB_API_URL: 'https://api.github.com',
    });
    expect(redactor.values).toBe(0);
    const text = 'abc 1234567 password /home/operator-with-long-name /srv/agentpr-data https://api.github.com';
    expect(redactor.redact(text)).toBe(text);
  });

  it('takes extra secrets given as flags, including a database URL', () => {
    const redactor = createSecretRedactor({}, { '--secret': 'flag-canary-secret', '--database-url': 'postgres://u:flag-db-canary@h/d', '--none': undefined });
    expect(redactor.values).toBe(2);
    expect(redactor.redact('flag-canary-secret flag-db-canary')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('redactDeep copies objects and arrays, redacting strings and keys at any depth, and keeps other values', () => {
    const redactor = createSecretRedactor({ GITHUB_TOKEN: GH });
    const when = new Date(0);
    const input = { a: [`t=${GH}`, 3, null, { [GH]: { deep: [GH] } }], when, ok: true, n: undefined as unknown };
    const out = redactor.redactDeep(input);
    expect(out).toEqual({ a: [`t=${REDACTED}`, 3, null, { [REDACTED]: { deep: [REDACTED] } }], when, ok: true, n: undefined });
    expect(out.when).toBe(when);
    expect(input.a[0]).toBe(`t=${GH}`);
    expect(redactor.redactDeep(`x${GH}`)).toBe(`x${REDACTED}`);
    const cyclic: Record<string, unknown> = { s: GH };
    cyclic.self = cyclic;
    const copy = redactor.redactDeep(cyclic);
    expect(copy.s).toBe(REDACTED);
    expect(copy.self).toBe(copy);
  });

  it('redacts a large text with many secrets quickly', () => {
    const redactor = createSecretRedactor({ GITHUB_TOKEN: GH, OPENAI_API_KEY: OPENAI, AGENTPR_TELEGRAM_BOT_TOKEN: TG, X_TOKEN: 'x'.repeat(40) });
    const line = `{"type":"item","text":"ran tests with ${GH} and ${OPENAI} ok https://u:pw@h/x"}\n`;
    // Hostile tails: long letter runs and many `://` that a scheme-prefixed URL pattern would scan quadratically.
    const big = line.repeat(50_000) + 'x'.repeat(1_000_000) + 'a-'.repeat(500_000) + `://${'b'.repeat(100)}`.repeat(10_000) + ':'.repeat(100_000);
    const started = performance.now();
    const out = redactor.redact(big);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(out.includes(GH) || out.includes(OPENAI) || out.includes(':pw@')).toBe(false);
    expect(out.startsWith(`{"type":"item","text":"ran tests with ${REDACTED} and ${REDACTED} ok https://u:${REDACTED}@h/x"}`)).toBe(true);
  });
});

describe('redactorFor', () => {
  it('returns the context redactor when set, else one built from env and cached per env object', () => {
    const env = { GITHUB_TOKEN: GH };
    const own = createSecretRedactor({});
    expect(redactorFor({ env, redactor: own })).toBe(own);
    const built = redactorFor({ env });
    expect(built.redact(GH)).toBe(REDACTED);
    expect(redactorFor({ env })).toBe(built);
  });
});
