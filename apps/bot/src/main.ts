import { runService, type ServiceIo, type ServiceSpec } from '@agentpr/manager-loop-app';
import { BOT_HELP, parseBotArgs, type BotArgs } from './parse-flags.js';
import { runTelegramBotService } from './run-telegram-bot-service.js';

const BOT: ServiceSpec<BotArgs> = {
  bin: 'agentpr-bot',
  name: 'bot',
  help: BOT_HELP,
  gate: 'telegram',
  secretFlags: ['telegram-token', 'database-url'],
  parse: parseBotArgs,
  gateOptions: (args) => ({ telegramTokenGiven: args.tokenGiven }),
  async run(app, args, io) {
    const result = await runTelegramBotService({
      app,
      flags: args.flags,
      signal: io.signal,
      githubApiUrl: args.githubApiUrl,
      announce: (line) => io.log.info(`${line}. Stop with Ctrl-C or SIGTERM.`),
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
  return runService(BOT, argv, io);
}
