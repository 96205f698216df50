/**
 * A small XML well-formedness check for the tests (no XML parser is in the tree): one root element, every tag closed
 * in order, attributes quoted and unique, only the five predefined or numeric entities, no raw `<` or `&` in text,
 * no control characters. Returns the problems found (empty = well-formed).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) problems.push('control character');
  const checkText = (text: string, where: number) => {
    if (text.includes('<')) problems.push(`raw < at ${where}`);
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) problems.push(`bad entity ${m[0]} at ${where}`);
    }
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    checkText(text, i);
    if (text.trim() && stack.length === 0) problems.push(`text outside the root at ${i}`);
    if (lt === -1) break;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end === -1 || lt !== 0) problems.push(`processing instruction at ${lt}`);
      i = end === -1 ? xml.length : end + 2;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) problems.push('unclosed comment');
      i = end === -1 ? xml.length : end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt === -1) {
      problems.push(`unclosed tag at ${lt}`);
      break;
    }
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*$/.exec(body);
    if (!m) {
      problems.push(`malformed tag <${tag.slice(0, 40)}> at ${lt}`);
      continue;
    }
    const names = [...m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)];
    const seen = new Set<string>();
    for (const a of names) {
      if (seen.has(a[1]!)) problems.push(`duplicate attribute ${a[1]} at ${lt}`);
      seen.add(a[1]!);
      checkText(a[3] ?? a[4] ?? '', lt);
    }
    if (stack.length === 0) roots += 1;
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
