import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS, type FlagSpec } from '@agentpr/app-kit';
import { BOT_FLAGS, BOT_SERVICE } from '@agentpr/bot-app';
import { MANAGER_LOOP_FLAGS, MANAGER_LOOP_SERVICE } from '@agentpr/manager-loop-app';
import { WEBHOOK_FLAGS, WEBHOOK_SERVICE } from '@agentpr/webhook-app';
import type { CommandSpec } from '../command.js';
import { command as runGithubWebhook } from '../commands/run-github-webhook.js';
import { command as runManagerLoop } from '../commands/run-manager-loop.js';
import { command as runTelegramBot } from '../commands/run-telegram-bot.js';

/** What parsing depends on: name, kind, repeatable and the allowed values. */
const shape = (specs: Record<string, Pick<FlagSpec, 'type' | 'multiple' | 'choices'>>) =>
  Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type, multiple: s.multiple === true, choices: s.choices ?? null }]));

// `agentpr-webhook`, `agentpr-bot` and `agentpr-manager` are the apps' own programs; deploy templates are checked
// against the CLI commands they stand for, so the flags, the command names and the doctor gates must be the same.
describe('the service binaries accept exactly the flags of the CLI commands they stand for', () => {
  it.each([
    ['agentpr-webhook', WEBHOOK_SERVICE, WEBHOOK_FLAGS, runGithubWebhook],
    ['agentpr-bot', BOT_SERVICE, BOT_FLAGS, runTelegramBot],
    ['agentpr-manager', MANAGER_LOOP_SERVICE, MANAGER_LOOP_FLAGS, runManagerLoop],
  ] as const)('%s = agentpr <its command>', (bin, service, flags, command: CommandSpec) => {
    expect(service.bin).toBe(bin);
    expect(service.command).toBe(command.name);
    expect(service.gate).toBe(command.gate);
    expect(shape(service.flags)).toEqual(shape(command.options));
    expect(shape(flags)).toEqual(shape(command.options));
    expect(service.help.split('\n')[0]).toBe(`agentpr ${command.name} — ${command.summary}`);
  });

  it('global flags: the CLI and the binaries read the one set in @agentpr/app-kit', () => {
    expect(Object.keys(GLOBAL_FLAGS)).toEqual(['data-dir', 'db', 'database-url', 'workspace-root', 'campaign-dir', 'integration-root', 'policy-file', 'skip-doctor', 'offline', 'json', 'debug', 'help']);
  });
});
