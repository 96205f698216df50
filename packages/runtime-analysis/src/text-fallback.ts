import { LIMITS, detach } from './bounded.js';

const WRAPPER_SINGLE = /(?:\S*\/)?(?:ba|z|da|k)?sh\s+-[A-Za-z]*c\s+'([^']+)'/g;
const WRAPPER_DOUBLE = /(?:\S*\/)?(?:ba|z|da|k)?sh\s+-[A-Za-z]*c\s+"((?:[^"\\]|\\.)+)"/g;

/**
 * The text fallback: when no line of the stream parses, the commands are the shell wrapper
 * scripts (`bash -lc '…'`, `sh -c "…"`) found in the unparseable lines and then in stderr, or else the first
 * lines of stderr. At most {@link LIMITS.fallback} scripts of each quoting are kept.
 */
export class TextFallback {
  private readonly single: string[] = [];
  private readonly double: string[] = [];

  /** Scans one line of the stream that is not JSON (lines over {@link LIMITS.fallbackLineChars} are skipped). */
  scanLine(line: string): void {
    if (line.length <= LIMITS.fallbackLineChars) this.scan(line);
  }

  private scan(text: string): void {
    if (this.single.length >= LIMITS.fallback && this.double.length >= LIMITS.fallback) return;
    if (text.indexOf('sh') < 0) return;
    for (const m of text.matchAll(WRAPPER_SINGLE)) if (this.single.length < LIMITS.fallback) this.single.push(detach(m[1]!.trim()));
    for (const m of text.matchAll(WRAPPER_DOUBLE)) if (this.double.length < LIMITS.fallback) this.double.push(detach(m[1]!.replace(/\\(["\\$`])/g, '$1').trim()));
  }

  /**
   * The fallback's commands: the distinct wrapper scripts of the stream and of `stderr` (its first
   * {@link LIMITS.fallbackStderrChars} characters), single-quoted first; else the first non-blank stderr lines.
   */
  commands(stderr: string): string[] {
    this.scan(stderr.slice(0, LIMITS.fallbackStderrChars));
    const seen = new Set<string>();
    const commands: string[] = [];
    for (const c of [...this.single, ...this.double]) {
      if (c && !seen.has(c)) {
        seen.add(c);
        commands.push(c);
      }
    }
    if (commands.length > 0) return commands;
    return stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, LIMITS.fallbackStderrLines);
  }
}
