import { describe, expect, it } from 'vitest';
import { BOT_FLAGS } from '@agentpr/bot-app';
import { GLOBAL_FLAGS, MANAGER_LOOP_FLAGS } from '@agentpr/manager-loop-app';
import type { OptionSpec } from '../command.js';
import { command as runManagerLoop } from '../commands/run-manager-loop.js';
import { command as runTelegramBot } from '../commands/run-telegram-bot.js';
import { GLOBAL_OPTIONS } from '../globals.js';

/** What parsing depends on: name, kind, repeatable and the allowed values. */
const shape = (specs: Record<string, Pick<OptionSpec, 'type' | 'multiple' | 'choices'>>) =>
  Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type, multiple: s.multiple === true, choices: s.choices ?? null }]));

// `agentpr-bot` and `agentpr-manager` are the apps' own programs; deploy templates are checked against the CLI
// commands they stand for, so the flags must be the same.
describe('the service binaries accept exactly the flags of the CLI commands they stand for', () => {
  it('global flags', () => {
    expect(shape(GLOBAL_FLAGS)).toEqual(shape(GLOBAL_OPTIONS));
  });

  it('agentpr-bot = agentpr run-telegram-bot', () => {
    expect(shape(BOT_FLAGS)).toEqual(shape(runTelegramBot.options));
  });

  it('agentpr-manager = agentpr run-manager-loop', () => {
    expect(shape(MANAGER_LOOP_FLAGS)).toEqual(shape(runManagerLoop.options));
  });
});
