/**
 * Splits a command line into words the way a POSIX shell (and systemd's `ExecStart=`, and supervisord's
 * `command=`) does for the simple forms templates use: whitespace separates words, single quotes keep text
 * as is, double quotes keep text but let `\` escape `"`, `\`, `$` and `` ` ``, and an unquoted `\` escapes the
 * next character. No expansion happens: `${VAR}` stays a literal word. An unclosed quote throws.
 *
 * @example
 * splitCommandLine(`/bin/sh -c "agentpr doctor && exec agentpr-webhook"`); // ['/bin/sh', '-c', 'agentpr doctor && exec agentpr-webhook']
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed single quote at column ${i + 1}: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new Error(`unclosed double quote at column ${i + 1}: ${line}`);
      inWord = true;
      i = j;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
