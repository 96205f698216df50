import { describe, expect, it } from 'vitest';
import { capabilitiesFromHelp, capabilitiesFromVersion, compareVersions, parseCodexVersion } from './codex-capabilities.js';

describe('capabilitiesFromVersion', () => {
  it('capabilitiesFromVersion codex-cli 0.169.0 uses --json and has no --full-auto', () => {
    const result = capabilitiesFromVersion('codex-cli 0.169.0\n');
    expect(result).toEqual({
      ok: true,
      capabilities: {
        version: '0.169.0',
        versionText: 'codex-cli 0.169.0',
        jsonFlag: '--json',
        streamFormat: 'current',
        hasFullAuto: false,
        hasSandboxFlag: true,
        hasShortLastMessageFlag: true,
      },
    });
  });

  it('capabilitiesFromVersion 0.42.x and 0.43.x use --experimental-json (intermediate format)', () => {
    for (const text of ['codex-cli 0.42.0', 'codex-cli 0.43.9']) {
      const result = capabilitiesFromVersion(text);
      expect(result.ok && result.capabilities).toMatchObject({ jsonFlag: '--experimental-json', streamFormat: 'intermediate', hasFullAuto: true });
    }
  });

  it('capabilitiesFromVersion 0.44.0 to 0.168.x use --json and still had --full-auto', () => {
    const result = capabilitiesFromVersion('codex-cli 0.44.0');
    expect(result.ok && result.capabilities).toMatchObject({ jsonFlag: '--json', streamFormat: 'current', hasFullAuto: true });
    expect(capabilitiesFromVersion('0.168.2').ok && (capabilitiesFromVersion('0.168.2') as { capabilities: { hasFullAuto: boolean } }).capabilities.hasFullAuto).toBe(true);
  });

  it('capabilitiesFromVersion older than 0.42.0 refuses with an upgrade hint', () => {
    const result = capabilitiesFromVersion('codex-cli 0.41.3');
    expect(result).toMatchObject({ ok: false, unparsable: false });
    expect(!result.ok && result.reason).toMatch(/older than 0\.42\.0.*upgrade/);
  });

  it('capabilitiesFromVersion without a version number is marked unparsable', () => {
    expect(capabilitiesFromVersion('my wrapper')).toMatchObject({ ok: false, unparsable: true });
  });

  it('capabilitiesFromHelp reads the flags a wrapper offers and refuses one without --json', () => {
    const help = '  --json  Print events\n  -o, --output-last-message <FILE>\n  -s, --sandbox <MODE>\n';
    const result = capabilitiesFromHelp('wrapper', help);
    expect(result.ok && result.capabilities).toMatchObject({ version: null, jsonFlag: '--json', hasSandboxFlag: true, hasShortLastMessageFlag: true, hasFullAuto: false });
    expect(capabilitiesFromHelp('wrapper', '  --experimental-json\n')).toMatchObject({ ok: true, capabilities: { jsonFlag: '--experimental-json' } });
    const none = capabilitiesFromHelp('wrapper', '  --full-auto\n');
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toMatch(/no `exec --json` flag/);
  });

  it('parseCodexVersion and compareVersions order versions numerically', () => {
    expect(parseCodexVersion('codex-cli 0.169.0')).toEqual([0, 169, 0]);
    expect(parseCodexVersion('none')).toBeNull();
    expect(compareVersions([0, 44, 0], [0, 169, 0])).toBeLessThan(0);
    expect(compareVersions([1, 0, 0], [0, 999, 9])).toBeGreaterThan(0);
  });
});
