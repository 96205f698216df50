import { describe, expect, it } from 'vitest';
import { nextCommands, placementLines, type PlacementView } from './views.js';

const STATE_ONLY = ['agentpr request-open-pr --run-id run_1 --title <title> --body-file <path>'];

describe('nextCommands', () => {
  it('a PUSHED run whose PR is open (a CI-fix round) is pointed at GitHub, never at a new PR request', () => {
    const next = nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: 12, pendingRequestFile: null }, STATE_ONLY);
    expect(next[0]).toBe('agentpr sync-github --run-id run_1');
    expect(next.join('\n')).not.toContain('request-open-pr');
  });

  it('a PUSHED run with a pending request is pointed at its approval; without one at the request', () => {
    expect(nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: null, pendingRequestFile: '/r/f.json' }, STATE_ONLY)).toEqual([
      'agentpr approve-open-pr --run-id run_1 --request-file /r/f.json --confirm-token <token> --confirm',
      'approve on the Telegram card, or re-issue the request for a fresh confirm token (it is never logged):',
      'agentpr request-open-pr --run-id run_1',
    ]);
    expect(nextCommands({ runId: 'run_1', state: 'PUSHED', openPr: null, pendingRequestFile: null }, STATE_ONLY)[0]).toBe('agentpr request-open-pr --run-id run_1');
  });

  it('other states keep the state-only suggestions', () => {
    expect(nextCommands({ runId: 'run_1', state: 'CI_WAIT', openPr: 12, pendingRequestFile: null }, ['agentpr sync-github --run-id run_1'])).toEqual(['agentpr sync-github --run-id run_1']);
  });
});

describe('placementLines (issue 20)', () => {
  const base: PlacementView = {
    this_host: 'host-b',
    lease: null,
    workspace_host: null,
    workspace_host_at: null,
    workspace_rel: 'o/r/run_1',
    local_workspace_dir: '/srv/b/o/r/run_1',
    created_workspace_dir: '/srv/b/o/r/run_1',
  };

  it('a free lease and no recorded host; the path shown once when it is where the run was created', () => {
    expect(placementLines(base)).toEqual(['hosts: lease free; workspace on no recorded host; this host is host-b', 'workspace here: /srv/b/o/r/run_1']);
  });

  it('a lease held elsewhere, the workspace here, and the creation path when it differs; a path leaving the root is named', () => {
    const view: PlacementView = {
      ...base,
      lease: { host: 'host-a', pid: 7, holder: 'host-a:7:manager:ab', expires_at: '2026-12-05T10:00:00.000Z' },
      workspace_host: 'host-b',
      created_workspace_dir: '/srv/a/o/r/run_1',
    };
    expect(placementLines(view)).toEqual([
      'hosts: lease held by host-a (pid 7) until 2026-12-05T10:00:00.000Z; workspace on host-b (this host); this host is host-b',
      'workspace here: /srv/b/o/r/run_1 (created at /srv/a/o/r/run_1)',
    ]);
    expect(placementLines({ ...base, local_workspace_dir: null, workspace_rel: '../x' })[1]).toBe('workspace here: (none: "../x" leaves the workspace root) (created at /srv/b/o/r/run_1)');
  });
});
