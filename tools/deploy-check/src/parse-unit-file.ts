/** One `Key=value` line of a systemd unit, with its 1-based line number. */
export interface UnitEntry {
  key: string;
  value: string;
  line: number;
}

/** A parsed systemd unit file: entries by section, in file order. Keys may repeat (`ExecStartPre=`). */
export interface UnitFile {
  sections: Record<string, UnitEntry[]>;
  /** Every value of `key` in `section`, in order; an empty assignment resets the list, as systemd does. */
  values(section: string, key: string): string[];
  /** The last value of `key` in `section`, or undefined. */
  value(section: string, key: string): string | undefined;
}

/**
 * Parses systemd unit-file syntax (systemd.syntax(7)): `[Section]` headers, `Key=value` lines, `#`/`;` comment
 * lines, and a trailing `\` that continues a value on the next line. It checks structure, not meaning:
 * `systemd-analyze verify` is the authority on keys and values. Lines outside a section throw.
 *
 * @example
 * parseUnitFile(text).value('Service', 'ExecStart');
 */
export function parseUnitFile(text: string): UnitFile {
  const sections: Record<string, UnitEntry[]> = {};
  let current: UnitEntry[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!] ??= [];
      continue;
    }
    const eq = line.indexOf('=');
    if (!current) throw new Error(`line ${start}: "${line}" is outside any [Section]`);
    if (eq <= 0) throw new Error(`line ${start}: "${line}" is not Key=value`);
    current.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  const values = (section: string, key: string) =>
    (sections[section] ?? []).filter((e) => e.key === key).reduce<string[]>((acc, e) => (e.value === '' ? [] : [...acc, e.value]), []);
  return { sections, values, value: (section, key) => values(section, key).at(-1) };
}
