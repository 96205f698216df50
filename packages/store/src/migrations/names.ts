/**
 * The names of every migration, in order, without importing kysely (the CLI's read-only fast path checks the
 * schema with these). A test keeps this list equal to the keys of `migrations()`.
 */
export const MIGRATION_NAMES: readonly string[] = ['20261123T000000-initial', '20261124T000000-manager-runs', '20261125T000000-held-facts', '20261126T000000-list-filters', '20261126T000100-paused-from', '20261126T000200-campaign-list-key', '20261205T000000-assistant', '20261206T000000-citizenship', '20261207T000000-dashboard', '20261208T000000-placement'];
