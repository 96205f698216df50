import type { Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { initialMigration } from './20261123T000000-initial.js';
import { managerRunsMigration } from './20261124T000000-manager-runs.js';
import { heldFactsMigration } from './20261125T000000-held-facts.js';
import { listFiltersMigration } from './20261126T000000-list-filters.js';
import { pausedFromMigration } from './20261126T000100-paused-from.js';
import { campaignListKeyMigration } from './20261126T000200-campaign-list-key.js';
import { assistantMigration } from './20261205T000000-assistant.js';
import { dashboardMigration } from './20261207T000000-dashboard.js';
import { citizenshipMigration } from './20261206T000000-citizenship.js';
import { placementMigration } from './20261208T000000-placement.js';

/**
 * Every migration, keyed by its timestamped name. Names sort in the order they apply. A released migration is
 * never edited: add a new file instead.
 */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '20261123T000000-initial': initialMigration(dialect),
    '20261124T000000-manager-runs': managerRunsMigration(),
    '20261125T000000-held-facts': heldFactsMigration(),
    '20261126T000000-list-filters': listFiltersMigration(),
    '20261126T000100-paused-from': pausedFromMigration(),
    '20261126T000200-campaign-list-key': campaignListKeyMigration(),
    '20261205T000000-assistant': assistantMigration(),
    '20261206T000000-citizenship': citizenshipMigration(dialect),
    '20261207T000000-dashboard': dashboardMigration(),
    '20261208T000000-placement': placementMigration(),
  };
}
