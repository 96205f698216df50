import { WorkspaceError } from './errors.js';

/**
 * Fills `{name}` placeholders from `values`; `{{` and `}}` stand for literal braces. An unknown placeholder is
 * an error that names it, so a typo in a campaign template is caught before anything is committed.
 *
 * @example
 * renderTemplate('{changes}\n\nProject: {project}', { changes: 'Add X', project: 'widgets' });
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>, what = 'template'): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      out += '{';
      i++;
    } else if (ch === '}' && template[i + 1] === '}') {
      out += '}';
      i++;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      const name = end === -1 ? '' : template.slice(i + 1, end);
      if (end === -1 || !/^[a-z_][a-z0-9_]*$/i.test(name)) {
        throw new WorkspaceError('template_error', `${what}: unmatched "{" at offset ${i}; write {{ for a literal brace.`);
      }
      if (!Object.hasOwn(values, name)) {
        throw new WorkspaceError('template_error', `${what}: unknown placeholder {${name}}; known: ${Object.keys(values).sort().map((k) => `{${k}}`).join(', ')}.`);
      }
      out += values[name];
      i = end;
    } else if (ch === '}') {
      throw new WorkspaceError('template_error', `${what}: unmatched "}" at offset ${i}; write }} for a literal brace.`);
    } else {
      out += ch;
    }
  }
  return out;
}
