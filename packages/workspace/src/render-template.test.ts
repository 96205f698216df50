import { describe, expect, it } from 'vitest';
import { WorkspaceError } from './errors.js';
import { renderTemplate } from './render-template.js';

describe('renderTemplate', () => {
  it('renderTemplate fills placeholders and keeps doubled braces as literal braces', () => {
    expect(renderTemplate('{changes}\n\n{{not}} {project}', { changes: 'Add X', project: 'w' })).toBe('Add X\n\n{not} w');
  });

  it('renderTemplate does not expand placeholders inside substituted values', () => {
    expect(renderTemplate('{changes}', { changes: '{project}', project: 'no' })).toBe('{project}');
  });

  it('renderTemplate with an unknown placeholder throws template_error naming it and the known ones', () => {
    try {
      renderTemplate('x {chnages}', { changes: 'a', project: 'b' }, 'commit_body_template');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WorkspaceError);
      expect((error as WorkspaceError).code).toBe('template_error');
      expect((error as WorkspaceError).message).toBe('commit_body_template: unknown placeholder {chnages}; known: {changes}, {project}.');
    }
  });

  it.each(['a { b', 'a } b', '{not closed'])('renderTemplate with an unmatched brace in %j throws template_error', (template) => {
    expect(() => renderTemplate(template, {})).toThrow(WorkspaceError);
  });
});
