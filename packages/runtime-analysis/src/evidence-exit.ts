/**
 * The exit status a verdict's evidence (`classification.evidence` of a run digest read back from its file) records
 * for `command`: the first item naming the command with a numeric `exit_code`, or with another numeric field
 * naming an exit (digests written by other versions); null when none does. Any shape is accepted.
 *
 * @example
 * evidenceExit(digest.classification.evidence, 'npm test'); // → 0
 */
export function evidenceExit(evidence: readonly unknown[], command: string): number | null {
  for (const item of evidence) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    if (record.command !== command) continue;
    if (typeof record.exit_code === 'number') return record.exit_code;
    const key = Object.keys(record).find((k) => /exit/i.test(k) && typeof record[k] === 'number');
    if (key) return record[key] as number;
  }
  return null;
}
