import type { CommandSpec } from '../command.js';
import { str } from '../values.js';

/** `agentpr skills-status`: which stage skills are installed, missing or outdated. Exit 0. */
export const command: CommandSpec = {
  name: 'skills-status',
  summary: 'Show which agentpr stage skills are installed, missing or outdated.',
  example: 'agentpr skills-status --codex-home ~/.codex',
  options: {
    'codex-home': { type: 'string', value: 'PATH', description: 'codex home (default $CODEX_HOME, else ~/.codex)' },
    'skills-root': { type: 'string', value: 'PATH', description: 'where skills are installed (default <codex home>/skills)' },
    'local-skills-root': { type: 'string', value: 'PATH', description: 'the shipped skills to compare with (default: the shipped skills/)' },
  },
  async run(ctx, values) {
    const { skillsStatus } = await import('@agentpr/orchestrator');
    const status = await skillsStatus(ctx.base, {
      codexHome: str(values, 'codex-home'),
      skillsRoot: str(values, 'skills-root'),
      localSkillsRoot: str(values, 'local-skills-root'),
    });
    const text = [
      `skills root: ${status.skills_root} (${status.installed_skill_count} installed)`,
      `required installed: ${status.installed_required.join(', ') || '(none)'}`,
      `required missing:   ${status.missing_required.join(', ') || '(none)'}`,
      `required outdated:  ${status.outdated_required.join(', ') || '(none)'}`,
      `optional CI:        ${status.installed_optional_ci.join(', ') || '(none)'}`,
    ].join('\n');
    return { output: status, text };
  },
};
