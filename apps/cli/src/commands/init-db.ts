import type { CommandSpec } from '../command.js';

/** `agentpr init-db`: creates the database (or brings its schema up to date) and prints where it is. */
export const command: CommandSpec = {
  name: 'init-db',
  summary: 'Create the database or bring its schema up to date (never destructive).',
  example: 'agentpr --data-dir /var/lib/agentpr init-db',
  options: {},
  async run(ctx) {
    const app = await ctx.app();
    const db = ctx.globals.databaseUrl ? (await import('@agentpr/store')).redactUrl(ctx.globals.databaseUrl) : ctx.globals.db;
    return { output: { ok: true, db, dialect: app.dialect, data_dir: ctx.globals.dataDir }, text: `database ready: ${db}` };
  },
};
