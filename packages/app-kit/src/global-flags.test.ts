import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveGlobals } from './global-flags.js';

describe('resolveGlobals', () => {
  it('puts everything under the data dir from AGENTPR_HOME unless a flag says otherwise', () => {
    const g = resolveGlobals({}, { AGENTPR_HOME: '/srv/agentpr' });
    expect(g).toMatchObject({
      dataDir: '/srv/agentpr', db: '/srv/agentpr/agentpr.db', databaseUrl: undefined, workspaceRoot: '/srv/agentpr/workspaces',
      policyFile: '/srv/agentpr/manager_policy.json', skipDoctor: false, json: false, debug: false,
    });
    const flags = resolveGlobals({ 'data-dir': '/d', db: '/x.db', 'workspace-root': '/w', 'skip-doctor': true, debug: true }, { AGENTPR_HOME: '/srv/agentpr' });
    expect(flags).toMatchObject({ dataDir: '/d', db: '/x.db', workspaceRoot: '/w', policyFile: '/d/manager_policy.json', skipDoctor: true, debug: true });
  });

  it('--database-url wins over the env; AGENTPR_BASE_DIR moves the workspaces; the shipped assets are found', () => {
    const g = resolveGlobals({ 'database-url': ' postgres://flag/db ' }, { HOME: '/home/u', AGENTPR_DATABASE_URL: 'postgres://env/db', AGENTPR_BASE_DIR: '/ws' });
    expect(g).toMatchObject({ dataDir: '/home/u/.local/share/agentpr', databaseUrl: 'postgres://flag/db', workspaceRoot: '/ws' });
    expect(resolveGlobals({}, { AGENTPR_DATABASE_URL: 'postgres://env/db' }).databaseUrl).toBe('postgres://env/db');
    expect(g.skillsDir.endsWith('skills')).toBe(true);
    expect(g.campaignDir.endsWith(join('campaigns', 'example'))).toBe(true);
  });

  it('defaultDataDir follows XDG_DATA_HOME when AGENTPR_HOME is unset', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/agentpr');
  });
});
