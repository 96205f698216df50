import { shellWords, shellWrapperScript } from './shell-segments.js';

/**
 * A short display form of a command for evidence and reports: the script inside a shell wrapper
 * (`/bin/zsh -lc 'make test'` → `make test`), newlines shown as `⏎`, cut to `max` characters.
 *
 * @example
 * describeCommand(`/bin/zsh -lc 'bun run typecheck'`) // → 'bun run typecheck'
 */
export function describeCommand(command: string, max = 160): string {
  let shown = command.trim();
  const words = shellWords(shown);
  const inner = words.length === 3 ? shellWrapperScript(words) : undefined;
  if (inner !== undefined) shown = inner.trim();
  shown = shown.replace(/\s*\n\s*/g, ' ⏎ ');
  return shown.length <= max ? shown : `${shown.slice(0, max - 1)}…`;
}
