import { AgentprError } from '../errors.js';
import { findJsonSyntaxError } from './json-syntax-error.js';

/** One run entry of an import file and where it starts, for error messages (`runs.jsonl line 3`). */
export interface RunsFileEntry {
  where: string;
  value: unknown;
}

function syntaxError(name: string, text: string, lineOffset = 0): AgentprError {
  const found = findJsonSyntaxError(text);
  const at = found ? `line ${found.line + lineOffset}, column ${found.column}` : `line ${lineOffset + 1}`;
  return new AgentprError('invalid_json', `invalid JSON: ${name} ${at}: ${found?.problem ?? 'not valid JSON'}. Fix that line; nothing was imported.`);
}

/** Start offsets of the top-level elements of a valid JSON array text. */
function elementOffsets(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (' \t\n\r'.includes(c)) continue;
    if (expectElement && c !== ']') starts.push(i);
    expectElement = false;
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1 && c === '[') expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return starts;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses an import-runs file: a JSON array, or JSON Lines (one object per line, blank lines skipped). A syntax
 * error names the file, line, column and problem, and never echoes the file's content (it may hold anything).
 *
 * @example
 * parseRunsFile('{"owner":"o","repo":"r","prompt_version":"v1"}\n', 'runs.jsonl') // → [{ where: 'runs.jsonl line 1', value: {…} }]
 */
export function parseRunsFile(text: string, name: string): RunsFileEntry[] {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.search(/\S/);
  if (first === -1) return [];
  if (body[first] === '[') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw syntaxError(name, body);
    }
    const offsets = elementOffsets(body);
    return (value as unknown[]).map((entry, i) => ({ where: `${name} line ${offsets[i] === undefined ? '?' : lineOf(body, offsets[i]!)} (entry #${i + 1})`, value: entry }));
  }
  const entries: RunsFileEntry[] = [];
  const lines = body.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    try {
      entries.push({ where: `${name} line ${n + 1}`, value: JSON.parse(line) as unknown });
    } catch {
      throw syntaxError(name, line, n);
    }
  }
  return entries;
}
