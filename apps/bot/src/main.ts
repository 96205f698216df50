import { runService, type ServiceIo, type ServiceSpec } from '@agentpr/app-kit';
import { BOT_FLAGS, BOT_HELP, parseBotArgs, type BotArgs } from './parse-flags.js';
import { runTelegramBotService } from './run-telegram-bot-service.js';

/**
 * The Telegram control bot as a service: `agentpr-bot` runs it with `runService`, `agentpr run-telegram-bot` with
 * the CLI's context. Its output is the stop summary; Ctrl-C ends `interrupted` (130), SIGTERM `ok`.
 */
export const BOT_SERVICE: ServiceSpec<BotArgs> = {
  bin: 'agentpr-bot',
  name: 'bot',
  command: 'run-telegram-bot',
  help: BOT_HELP,
  flags: BOT_FLAGS,
  gate: 'telegram',
  parse: parseBotArgs,
  async run(app, args, io) {
    const result = await runTelegramBotService({
      app,
      flags: args.flags,
      signal: io.signal,
      githubApiUrl: args.githubApiUrl,
      announce: (line) => io.announce(`${line}. Stop with Ctrl-C or SIGTERM.`),
    });
    const text = `telegram bot ${result.bot_id} stopped: ${result.updates} updates, ${result.commands} commands, ${result.notifications} notifications, `
      + `${result.pollErrors} poll errors, ${result.strangerAttempts} stranger attempts (${result.strangerUnaudited} not audited)`;
    // Ctrl-C exits 130 after the summary; SIGTERM (a service manager stopping us) is a clean stop.
    return { status: io.signal.aborted && io.signal.reason === 'SIGINT' ? 'interrupted' : 'ok', output: result, text };
  },
};

/**
 * `agentpr-bot [flags]`: the Telegram control bot as its own program, the same as `agentpr run-telegram-bot
 * [flags]`. Prints the stop summary on stdout (JSON when stdout is not a terminal); logs go to stderr. Exit 0
 * after SIGTERM, 1 for a bad or rejected token or a second poller, 2 for bad flags, 130 after Ctrl-C.
 */
export function main(argv: string[], io: ServiceIo): Promise<number> {
  return runService(BOT_SERVICE, argv, io);
}
