/** One command-line flag of an app; names are the long flag without dashes. The CLI's commands and the service binaries share this shape. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable flag; the value becomes an array. */
  multiple?: boolean;
  /** Placeholder for help, e.g. `ID`, `N`, `PATH`. */
  value?: string;
  description: string;
  required?: boolean;
  /** The only values allowed (case-insensitive); any other is a usage error before anything runs, the doctor gate included. */
  choices?: readonly string[];
}

/** Parsed flag values: strings, booleans and string arrays, keyed by flag name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** One help line for a flag: `  --name VALUE   description (required, repeatable)`. */
export function flagLine(name: string, spec: FlagSpec): string {
  const left = `  --${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
  const notes = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean).join(', ');
  return `${left.padEnd(34)} ${spec.description}${notes ? ` (${notes})` : ''}`;
}

/** One help line per flag, in order. */
export function flagLines(specs: Record<string, FlagSpec>): string[] {
  return Object.entries(specs).map(([name, spec]) => flagLine(name, spec));
}
