import { describe, expect, it } from 'vitest';
import { parseUnitFile } from './parse-unit-file.js';

describe('parseUnitFile', () => {
  it('reads sections, repeated keys in order, comments and continued lines', () => {
    const unit = parseUnitFile(['# c', '[Unit]', 'After=a', '', '[Service]', '; c', 'ExecStartPre=/x one', 'ExecStartPre=/x two \\', '  --more', 'Restart=always'].join('\n'));
    expect(unit.value('Unit', 'After')).toBe('a');
    expect(unit.values('Service', 'ExecStartPre')).toEqual(['/x one', '/x two  --more']);
    expect(unit.sections.Service!.map((e) => e.line)).toEqual([7, 8, 10]);
  });

  it('treats an empty assignment as a reset of the list, like systemd', () => {
    const unit = parseUnitFile('[Service]\nReadWritePaths=/a\nReadWritePaths=\nReadWritePaths=/b\n');
    expect(unit.values('Service', 'ReadWritePaths')).toEqual(['/b']);
  });

  it('throws on a key outside any section', () => {
    expect(() => parseUnitFile('Restart=always\n[Service]\n')).toThrow(/line 1: .* outside any \[Section\]/);
  });
});
