type Json = Record<string, unknown>;

/**
 * The first non-blank string value under one of `keys` (compared lower-cased), searched breadth-first through
 * nested objects and arrays; at most 240 nodes are visited.
 */
export function findStringKey(root: unknown, keys: ReadonlySet<string>): string | undefined {
  const queue: unknown[] = [root];
  let head = 0;
  while (head < queue.length && head < 240) {
    const node = queue[head++];
    if (Array.isArray(node)) {
      for (const el of node) if (typeof el === 'object' && el !== null) queue.push(el);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    for (const key in node) {
      const v = (node as Json)[key];
      if (typeof v === 'string') {
        if (keys.has(key.toLowerCase()) && v.trim() !== '') return v;
      } else if (typeof v === 'object' && v !== null) queue.push(v);
    }
  }
  return undefined;
}
