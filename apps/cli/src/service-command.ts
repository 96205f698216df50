import type { ServiceSpec } from '@agentpr/app-kit';
import type { CommandSpec, GateProfile, OptionSpec } from './command.js';

/** The CLI side of a service: what `agentpr --help` shows, and where the service itself is loaded from. */
export interface ServiceCommandSpec<A> {
  name: string;
  summary: string;
  example: string;
  /** The same profile as the service's own `gate`. */
  gate: GateProfile;
  /** The service's own flags (the service binary accepts exactly these). */
  options: Record<string, OptionSpec>;
  /** Loads the service (its app) only when the command runs. */
  load(): Promise<ServiceSpec<A>>;
}

/**
 * The CLI command that is a service binary (`agentpr run-telegram-bot` is `agentpr-bot`): the service's own flags,
 * `parse` and `run`, in the CLI's context: its store, its doctor gate, announcements as `agentpr: …` lines on stderr,
 * its output and exit codes.
 *
 * @example
 * export const command = serviceCommand({ name: 'run-telegram-bot', …, options: BOT_FLAGS, load: async () => (await import('@agentpr/bot-app')).BOT_SERVICE });
 */
export function serviceCommand<A>(spec: ServiceCommandSpec<A>): CommandSpec {
  const { load, ...command } = spec;
  return {
    ...command,
    async run(ctx, values) {
      const service = await load();
      const app = await ctx.app({ readOnly: service.store === 'read-only' });
      const args = service.parse(values, ctx.globals);
      const announce = (line: string) => ctx.stderr.write(`agentpr: ${line}\n`);
      const outcome = await service.run(app, args, { stdout: ctx.stdout, json: ctx.json, log: app.log, signal: ctx.signal, announce });
      return { output: outcome.output, status: outcome.status, ...(outcome.text === undefined ? {} : { text: outcome.text }) };
    },
  };
}
