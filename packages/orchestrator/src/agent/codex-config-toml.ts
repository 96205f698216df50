/**
 * The quoted string values of a codex `config.toml`, by table (`''` for the top level, `profiles.fast`,
 * `model_providers.local`, …) and key. A tiny reader for the few settings agentpr looks at (the model, the
 * provider's endpoint): `key = "value"` and `key = 'value'` lines under `[table]` headers; anything else is skipped.
 *
 * @example
 * tomlStrings('model = "o4"\n[profiles.fast]\nmodel = "mini"').get('profiles.fast')?.get('model') // → 'mini'
 */
export function tomlStrings(toml: string): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>([['', new Map()]]);
  let table = tables.get('')!;
  for (const raw of toml.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1]!.replace(/["']/g, '');
      table = tables.get(name) ?? new Map<string, string>();
      tables.set(name, table);
      continue;
    }
    const pair = /^([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$/.exec(line);
    if (pair) table.set(pair[1]!, pair[2] ?? pair[3] ?? '');
  }
  return tables;
}
