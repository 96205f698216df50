/** The operator that ends a segment of a shell script. `end` marks the end of the script. */
export type SegmentOperator = '&&' | '||' | ';' | '|' | '&' | '\n' | 'end';

/** One file redirection of a simple command. */
export interface ShellRedirect {
  /** The operator as written, with its fd number (`>`, `2>>`, `&>`, `<`). */
  op: string;
  /** The target word after shell quoting (not expanded: `~`, `$HOME` stay literal). */
  target: string;
  /** True when the redirection opens the target for writing (every operator but a plain `<`). */
  write: boolean;
}

const MAX_SCRIPT_CHARS = 64 * 1024;

/** One raw simple command of a script, before wrappers and substitutions are expanded. */
export interface RawItem {
  words: string[];
  substitutions: string[];
  redirects: ShellRedirect[];
  op: SegmentOperator | '(' | ')';
}

/** A tokenized script. */
export interface Tokenized {
  items: RawItem[];
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** Index just after the `)` that closes a `$(` opened before `start`; quotes and nesting respected. */
function scanParen(s: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      i = end < 0 ? s.length : end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return s.length;
}

/**
 * Splits a shell script into simple commands at `&&`, `||`, `;`, `|`, `&`, newlines and parentheses outside
 * quotes, tokenising each with shell quoting rules. Redirections and here-document bodies are dropped;
 * `$(…)` and backtick substitutions are kept as literal text and reported separately.
 */
export function tokenize(script: string): Tokenized {
  const s = script.length > MAX_SCRIPT_CHARS ? script.slice(0, MAX_SCRIPT_CHARS) : script;
  const items: RawItem[] = [];
  let words: string[] = [];
  let subs: string[] = [];
  let redirects: ShellRedirect[] = [];
  let cur = '';
  let inWord = false;
  let skipNextWord = false; // the target of a redirection
  let redirectOp: string | null = null; // the operator whose target is the next word (null: a here-string)
  const heredocs: Array<{ delim: string; strip: boolean }> = [];
  let pendingHeredocDelim: { strip: boolean } | null = null;

  const endWord = (): void => {
    if (!inWord) return;
    if (pendingHeredocDelim) {
      heredocs.push({ delim: cur, strip: pendingHeredocDelim.strip });
      pendingHeredocDelim = null;
    } else if (skipNextWord) {
      skipNextWord = false;
      if (redirectOp !== null) redirects.push({ op: redirectOp, target: cur, write: redirectOp.replace(/^\d+/, '') !== '<' });
      redirectOp = null;
    } else {
      words.push(cur);
    }
    cur = '';
    inWord = false;
  };
  const endItem = (op: RawItem['op']): void => {
    endWord();
    // a redirection without a target word does not reach into the next command
    skipNextWord = false;
    redirectOp = null;
    items.push({ words, substitutions: subs, redirects, op });
    words = [];
    subs = [];
    redirects = [];
  };
  const skipHeredocBodies = (from: number): number => {
    let i = from;
    while (heredocs.length > 0 && i < s.length) {
      const doc = heredocs[0]!;
      let lineEnd = s.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = s.length;
      let line = s.slice(i, lineEnd);
      if (doc.strip) line = line.replace(/^\t+/, '');
      i = lineEnd + 1;
      if (line === doc.delim) heredocs.shift();
    }
    heredocs.length = 0;
    return Math.min(i, s.length);
  };

  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '\n') {
        i += 2;
        continue;
      }
      if (n !== undefined) cur += n;
      inWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, end < 0 ? s.length : end);
      inWord = true;
      i = end < 0 ? s.length : end + 1;
      continue;
    }
    if (c === '$' && s[i + 1] === "'") {
      // ANSI-C quoting: keep the text, resolve simple escapes.
      let j = i + 2;
      let text = '';
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\' && j + 1 < s.length) {
          const e = s[j + 1]!;
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else text += s[j++]!;
      }
      cur += text;
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        const d = s[j]!;
        if (d === '\\' && j + 1 < s.length) {
          const e = s[j + 1]!;
          if (e === '$' || e === '`' || e === '"' || e === '\\') cur += e;
          else if (e !== '\n') cur += d + e;
          j += 2;
          continue;
        }
        if (d === '$' && s[j + 1] === '(' && s[j + 2] !== '(') {
          const end = scanParen(s, j + 2);
          subs.push(s.slice(j + 2, end - 1));
          cur += s.slice(j, end);
          j = end;
          continue;
        }
        if (d === '`') {
          let end = j + 1;
          while (end < s.length && s[end] !== '`') end += s[end] === '\\' ? 2 : 1;
          subs.push(s.slice(j + 1, end));
          cur += s.slice(j, end + 1);
          j = end + 1;
          continue;
        }
        cur += d;
        j++;
      }
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '$' && s[i + 1] === '(') {
      if (s[i + 2] === '(') {
        const end = scanParen(s, i + 2);
        cur += s.slice(i, end);
        i = end;
      } else {
        const end = scanParen(s, i + 2);
        subs.push(s.slice(i + 2, end - 1));
        cur += s.slice(i, end);
        i = end;
      }
      inWord = true;
      continue;
    }
    if (c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      cur += s.slice(i, end < 0 ? s.length : end + 1);
      inWord = true;
      i = end < 0 ? s.length : end + 1;
      continue;
    }
    if (c === '`') {
      let end = i + 1;
      while (end < s.length && s[end] !== '`') end += s[end] === '\\' ? 2 : 1;
      subs.push(s.slice(i + 1, end));
      cur += s.slice(i, end + 1);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = s.indexOf('\n', i);
      i = end < 0 ? s.length : end;
      continue;
    }
    if (isSpace(c)) {
      endWord();
      i++;
      continue;
    }
    if (c === '\n') {
      endItem('\n');
      i = skipHeredocBodies(i + 1);
      continue;
    }
    if (c === '>' || c === '<' || (c === '&' && s[i + 1] === '>')) {
      // A redirection: an optional fd number before it belongs to the operator, the next word is its target.
      let fd = '';
      if (inWord && /^\d+$/.test(cur)) {
        fd = cur;
        cur = '';
        inWord = false;
      } else endWord();
      let j = i + 1;
      if (c === '&') j++;
      if (c === '<' && s[j] === '<') {
        j++;
        if (s[j] === '<') {
          j++;
          skipNextWord = true;
          redirectOp = null; // a here-string: the word is data, not a file
        } else {
          let strip = false;
          if (s[j] === '-') {
            strip = true;
            j++;
          }
          pendingHeredocDelim = { strip };
        }
      } else {
        while (s[j] === '>' || s[j] === '&' || s[j] === '|') j++;
        if (s[j - 1] === '&' && /\d|-/.test(s[j] ?? '')) {
          // `>&2`, `2>&1`, `>&-`: the fd is the target.
          while (/[\d-]/.test(s[j] ?? '')) j++;
        } else {
          skipNextWord = true;
          redirectOp = fd + s.slice(i, j);
        }
      }
      i = j;
      continue;
    }
    if (c === '&' || c === '|' || c === ';' || c === '(' || c === ')') {
      const n = s[i + 1];
      if (c === '&' && n === '&') {
        endItem('&&');
        i += 2;
      } else if (c === '|' && n === '|') {
        endItem('||');
        i += 2;
      } else if (c === '|') {
        endItem('|');
        i += n === '&' ? 2 : 1;
      } else if (c === ';') {
        endItem(';');
        i += n === ';' || n === '&' ? 2 : 1;
      } else if (c === '&') {
        endItem('&');
        i++;
      } else {
        endItem(c);
        i++;
      }
      continue;
    }
    cur += c;
    inWord = true;
    i++;
  }
  endItem('end');
  return { items };
}
